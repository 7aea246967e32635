package fulcrum.bench;

import java.util.List;

/** One step of the planet-size curve: closed-loop writes to one planet of {@code cities} cities. */
record PlanetStep(int cities, LoadResult load) {

    /**
     * Writes/s on the largest planet ÷ on the smallest, each the mean of its steps: the curve runs up
     * the sizes and down again, so a drift of the machine's speed during it (a planet of 100 cities
     * measured at 14,508 and 11,422 writes/s a minute apart) weighs on both sides alike. NaN without
     * two sizes.
     */
    static double sizeRatio(List<PlanetStep> steps) {
        if (steps.isEmpty()) {
            return Double.NaN;
        }
        int smallest = steps.stream().mapToInt(PlanetStep::cities).min().getAsInt();
        int largest = steps.stream().mapToInt(PlanetStep::cities).max().getAsInt();
        double small = meanThroughput(steps, smallest);
        if (smallest == largest || small <= 0) {
            return Double.NaN;
        }
        return meanThroughput(steps, largest) / small;
    }

    private static double meanThroughput(List<PlanetStep> steps, int cities) {
        return steps.stream().filter(p -> p.cities() == cities).mapToDouble(p -> p.load().throughput()).average().orElse(0);
    }
}
