package fulcrum.bench;

/** One step of the planet-size curve: closed-loop writes to one planet of {@code cities} cities. */
record PlanetStep(int cities, LoadResult load) {
}
