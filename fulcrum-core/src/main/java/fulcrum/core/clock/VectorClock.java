package fulcrum.core.clock;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable vector clock: one counter per replica id. A missing entry counts as zero, so clocks
 * of clusters that grew keep comparing correctly. Entries are kept sorted so that the printed and
 * serialised forms are canonical (byte-identical for equal clocks).
 */
public final class VectorClock {
    private static final VectorClock EMPTY = new VectorClock(new TreeMap<>());

    private final SortedMap<String, Long> entries;

    private VectorClock(TreeMap<String, Long> entries) {
        this.entries = Collections.unmodifiableSortedMap(entries);
    }

    public static VectorClock empty() {
        return EMPTY;
    }

    /** A clock with an explicit zero for each replica, so that every reply lists every replica. */
    public static VectorClock zero(Collection<String> replicaIds) {
        TreeMap<String, Long> map = new TreeMap<>();
        for (String id : replicaIds) {
            map.put(id, 0L);
        }
        return new VectorClock(map);
    }

    public static VectorClock of(Map<String, Long> entries) {
        TreeMap<String, Long> map = new TreeMap<>();
        for (Map.Entry<String, Long> e : entries.entrySet()) {
            String id = Objects.requireNonNull(e.getKey(), "replica id");
            long value = Objects.requireNonNull(e.getValue(), "clock entry of " + id);
            if (value < 0) {
                throw new IllegalArgumentException("clock entry of " + id + " is negative: " + value);
            }
            map.put(id, value);
        }
        return new VectorClock(map);
    }

    public long get(String replicaId) {
        return entries.getOrDefault(replicaId, 0L);
    }

    public VectorClock increment(String replicaId) {
        TreeMap<String, Long> map = new TreeMap<>(entries);
        map.merge(replicaId, 1L, Long::sum);
        return new VectorClock(map);
    }

    /** Entry-wise maximum: the least clock that dominates both. */
    public VectorClock merge(VectorClock other) {
        TreeMap<String, Long> map = new TreeMap<>(entries);
        other.entries.forEach((id, value) -> map.merge(id, value, Math::max));
        return new VectorClock(map);
    }

    /** True when every entry of this clock is at least the matching entry of {@code other}. */
    public boolean dominates(VectorClock other) {
        for (Map.Entry<String, Long> e : other.entries.entrySet()) {
            if (get(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    public boolean concurrentWith(VectorClock other) {
        return !dominates(other) && !other.dominates(this);
    }

    public long sum() {
        long total = 0;
        for (long v : entries.values()) {
            total += v;
        }
        return total;
    }

    public SortedMap<String, Long> asMap() {
        return entries;
    }

    @Override
    public boolean equals(Object o) {
        // Equality ignores explicit zeros: {a:0} and {} are the same point in time.
        if (!(o instanceof VectorClock other)) {
            return false;
        }
        return dominates(other) && other.dominates(this);
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<String, Long> e : entries.entrySet()) {
            if (e.getValue() != 0) {
                h += e.getKey().hashCode() ^ Long.hashCode(e.getValue());
            }
        }
        return h;
    }

    /** The seed's notation: values in replica-id order, e.g. {@code [1,0,2]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (long v : entries.values()) {
            if (!first) {
                sb.append(',');
            }
            sb.append(v);
            first = false;
        }
        return sb.append(']').toString();
    }
}
