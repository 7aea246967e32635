package fulcrum.core.store;

/**
 * The hash of a (planet, name) or (planet, city id) key, for the node's maps of cities and name
 * entries, which are read several times per write.
 *
 * <p>A record's generated hash is {@code 31 * h(planet) + h(name)}, and Java's string hash is itself
 * {@code 31}-based: planets whose names differ in their last character ({@code P0}, {@code P1}, …)
 * shift the hash by a multiple of 31, the same step as names differing in their second-to-last one
 * ({@code c10}, {@code c20}, …). With 10 planets of 1,000 cities named {@code c0}… the 10,000 name
 * keys had 1,990 distinct hashes, up to 10 keys on one, and lookups walked those chains (a
 * collision-free map still takes a few cache misses). Multiplying the planet's hash by a large odd
 * constant (the golden ratio's, as in Fibonacci hashing) moves each planet's keys to an unrelated
 * part of the hash space. Written out rather than generated also keeps {@code equals} and
 * {@code hashCode} plain calls: a record's go through method handles, which in a profile of the
 * write path were a tenth of the worker's Java time.
 */
final class KeyHash {
    private static final int GOLDEN = 0x9E3779B9;

    private KeyHash() {
    }

    static int of(String planet, String part) {
        return planet.hashCode() * GOLDEN + part.hashCode();
    }
}
