package fulcrum.bench;

import fulcrum.core.domain.Command;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * What the clients ask: {@code UpdateNumber} (writes) and {@code GetNumberRebelds} (queries) of
 * cities spread evenly at random over planets {@code P0..P<planets-1>} of cities
 * {@code c0..c<citiesPerPlanet-1>}, which the bench builds beforehand. Request {@code n} always
 * names the same city (a hash of {@code n}), so runs are repeatable.
 */
final class Workload {
    private final int planets;
    private final int citiesPerPlanet;

    Workload(int planets, int citiesPerPlanet) {
        if (planets < 1 || citiesPerPlanet < 1) {
            throw new IllegalArgumentException("a workload needs at least one planet and one city per planet");
        }
        this.planets = planets;
        this.citiesPerPlanet = citiesPerPlanet;
    }

    /** The planets and their sizes the store must hold. */
    Map<String, Integer> planets() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int p = 0; p < planets; p++) {
            out.put(planetName(p), citiesPerPlanet);
        }
        return out;
    }

    static String planetName(int index) {
        return "P" + index;
    }

    LongFunction<Command> writes() {
        return n -> Command.updateNumber(planet(n), city(n), n & 0xFFFFF);
    }

    LongFunction<Command> queries() {
        return n -> Command.getNumberRebelds(planet(n), city(n));
    }

    /** Writes to one planet of {@code cities} cities (the planet-size curve). */
    static LongFunction<Command> writesTo(String planet, int cities) {
        return n -> Command.updateNumber(planet, "c" + Math.floorMod(mix(n), cities), n & 0xFFFFF);
    }

    private String planet(long n) {
        return planetName((int) Math.floorMod(mix(n) >>> 32, (long) planets));
    }

    private String city(long n) {
        return "c" + Math.floorMod(mix(n), citiesPerPlanet);
    }

    /** SplitMix64's finaliser: consecutive numbers land far apart. */
    static long mix(long n) {
        long z = n + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
