package fulcrum.core.clock;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ObjLongConsumer;

/**
 * An immutable vector clock: one counter per replica id. A missing entry counts as zero, so clocks
 * of clusters that grew keep comparing correctly. Entries are kept sorted so that the printed and
 * serialised forms are canonical (byte-identical for equal clocks).
 *
 * <p>Held as two parallel arrays (ids in ascending order, counts), not a map: every write and every
 * applied entry merges, increments, compares and encodes clocks of a handful of replicas, and with
 * a {@code TreeMap} per clock the tree's nodes, iterators and boxed counts were a tenth of a merge's
 * Java samples. {@link #asMap()} is a view built on first use, for callers that want a map.
 */
public final class VectorClock {
    private static final VectorClock EMPTY = new VectorClock(new String[0], new long[0]);

    /** Ascending, distinct, never null. */
    private final String[] ids;
    /** {@code counts[i]} belongs to {@code ids[i]}; never negative. */
    private final long[] counts;
    private volatile SortedMap<String, Long> view;

    private VectorClock(String[] ids, long[] counts) {
        this.ids = ids;
        this.counts = counts;
    }

    public static VectorClock empty() {
        return EMPTY;
    }

    public static VectorClock zero(Collection<String> replicaIds) {
        String[] ids = new TreeSet<>(replicaIds).toArray(new String[0]);
        return new VectorClock(ids, new long[ids.length]);
    }

    public static VectorClock of(Map<String, Long> entries) {
        // a decoder's map is sorted already (ClockJson reads into a TreeMap): no second copy to sort it
        Map<String, Long> sorted = entries instanceof SortedMap<String, Long> map && map.comparator() == null
                ? entries : new TreeMap<>();
        if (sorted != entries) {
            for (Map.Entry<String, Long> e : entries.entrySet()) {
                sorted.put(Objects.requireNonNull(e.getKey(), "replica id"), e.getValue());
            }
        }
        String[] ids = new String[sorted.size()];
        long[] counts = new long[sorted.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            ids[i] = e.getKey();
            Long count = e.getValue();
            if (count == null) {
                throw new NullPointerException("clock entry of " + ids[i]);
            }
            counts[i] = count;
            i++;
        }
        return checked(ids, counts);
    }

    /**
     * A clock from its entries in ascending id order (what a decoder reads), without a map in
     * between; refuses ids out of order or twice and negative counts. The arrays are copied.
     */
    public static VectorClock ofSorted(String[] ids, long[] counts) {
        return checked(ids.clone(), counts.clone());
    }

    /** A clock over {@code ids} and {@code counts}, which nothing else holds, once they pass the checks. */
    private static VectorClock checked(String[] ids, long[] counts) {
        if (ids.length != counts.length) {
            throw new IllegalArgumentException(ids.length + " replica ids but " + counts.length + " counts");
        }
        for (int i = 0; i < ids.length; i++) {
            Objects.requireNonNull(ids[i], "replica id");
            if (counts[i] < 0) {
                throw new IllegalArgumentException("clock entry of " + ids[i] + " is negative: " + counts[i]);
            }
            if (i > 0 && ids[i - 1].compareTo(ids[i]) >= 0) {
                throw new IllegalArgumentException("clock entries out of order or twice: " + ids[i - 1] + ", " + ids[i]);
            }
        }
        return new VectorClock(ids, counts);
    }

    public long get(String replicaId) {
        int i = indexOf(replicaId);
        return i < 0 ? 0 : counts[i];
    }

    public VectorClock increment(String replicaId) {
        int i = indexOf(replicaId);
        if (i >= 0) {
            long[] next = counts.clone();
            next[i] = Math.addExact(next[i], 1);
            return new VectorClock(ids, next);
        }
        int at = -i - 1;
        String[] nextIds = new String[ids.length + 1];
        long[] next = new long[ids.length + 1];
        System.arraycopy(ids, 0, nextIds, 0, at);
        System.arraycopy(counts, 0, next, 0, at);
        nextIds[at] = Objects.requireNonNull(replicaId, "replica id");
        next[at] = 1;
        System.arraycopy(ids, at, nextIds, at + 1, ids.length - at);
        System.arraycopy(counts, at, next, at + 1, ids.length - at);
        return new VectorClock(nextIds, next);
    }

    public VectorClock merge(VectorClock other) {
        if (Arrays.equals(ids, other.ids)) { // the usual case: both clocks name every replica
            long[] next = counts.clone();
            for (int i = 0; i < next.length; i++) {
                next[i] = Math.max(next[i], other.counts[i]);
            }
            return new VectorClock(ids, next);
        }
        String[] mergedIds = new String[ids.length + other.ids.length];
        long[] merged = new long[mergedIds.length];
        int a = 0;
        int b = 0;
        int n = 0;
        while (a < ids.length || b < other.ids.length) {
            int order = a == ids.length ? 1 : b == other.ids.length ? -1 : ids[a].compareTo(other.ids[b]);
            if (order <= 0) {
                mergedIds[n] = ids[a];
                merged[n] = order == 0 ? Math.max(counts[a], other.counts[b++]) : counts[a];
                a++;
            } else {
                mergedIds[n] = other.ids[b];
                merged[n] = other.counts[b++];
            }
            n++;
        }
        return new VectorClock(Arrays.copyOf(mergedIds, n), Arrays.copyOf(merged, n));
    }

    public boolean dominates(VectorClock other) {
        for (int i = 0; i < other.ids.length; i++) {
            if (other.counts[i] != 0 && get(other.ids[i]) < other.counts[i]) {
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
        for (long v : counts) {
            total += v;
        }
        return total;
    }

    /** The number of entries, explicit zeros included. */
    public int size() {
        return ids.length;
    }

    /** The id of entry {@code i} (0 ≤ i < {@link #size()}), in ascending id order. */
    public String idAt(int i) {
        return ids[i];
    }

    /** The count of entry {@code i}. */
    public long countAt(int i) {
        return counts[i];
    }

    /** Each entry in ascending id order, explicit zeros included. */
    public void forEach(ObjLongConsumer<String> action) {
        for (int i = 0; i < ids.length; i++) {
            action.accept(ids[i], counts[i]);
        }
    }

    /** The entries as an unmodifiable sorted map (explicit zeros included). */
    public SortedMap<String, Long> asMap() {
        SortedMap<String, Long> map = view;
        if (map == null) {
            TreeMap<String, Long> built = new TreeMap<>();
            forEach(built::put);
            map = Collections.unmodifiableSortedMap(built);
            view = map;
        }
        return map;
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
        for (int i = 0; i < ids.length; i++) {
            if (counts[i] != 0) {
                h += ids[i].hashCode() ^ Long.hashCode(counts[i]);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < counts.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(counts[i]);
        }
        return sb.append(']').toString();
    }

    /** The index of {@code replicaId}, or {@code -(insertion point) - 1}: a scan, a clock has a few entries. */
    private int indexOf(String replicaId) {
        for (int i = 0; i < ids.length; i++) {
            int order = ids[i].compareTo(replicaId);
            if (order == 0) {
                return i;
            }
            if (order > 0) {
                return -i - 1;
            }
        }
        return -ids.length - 1;
    }
}
