package fulcrum.core.replica;

import java.util.Comparator;
import java.util.Objects;

/**
 * The total order used to settle concurrent writes: first the sum of the planet clock after the
 * write, then the origin replica id. A write that causally follows another has a strictly larger
 * clock sum, so this order never lets an older write beat a newer one it has seen; two writes of one
 * origin on one planet never share a sum, so (sum, origin) is unique per planet.
 */
public record Stamp(long clockSum, String origin) implements Comparable<Stamp> {
    private static final Comparator<Stamp> ORDER =
            Comparator.comparingLong(Stamp::clockSum).thenComparing(Stamp::origin);

    public Stamp {
        Objects.requireNonNull(origin, "origin");
        if (clockSum <= 0) {
            throw new IllegalArgumentException("a write's clock sum is at least 1, got " + clockSum);
        }
    }

    @Override
    public int compareTo(Stamp other) {
        return ORDER.compare(this, other);
    }

    public static Stamp max(Stamp a, Stamp b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }
}
