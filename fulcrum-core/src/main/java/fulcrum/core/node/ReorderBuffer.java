package fulcrum.core.node;

import fulcrum.core.replica.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Peers' entries that arrived ahead of a predecessor, per origin by sequence number, bounded.
 * In memory only: a crash loses it, and the gap it leaves is found and asked for again (an entry
 * stays in its origin's op log until every replica has applied it).
 */
final class ReorderBuffer {
    private final int capacity;
    private final TreeMap<String, TreeMap<Long, Operation>> byOrigin = new TreeMap<>();
    private int size;

    ReorderBuffer(int capacity) {
        this.capacity = capacity;
    }

    int size() {
        return size;
    }

    boolean holds(String origin, long seq) {
        TreeMap<Long, Operation> q = byOrigin.get(origin);
        return q != null && q.containsKey(seq);
    }

    Operation get(String origin, long seq) {
        TreeMap<Long, Operation> q = byOrigin.get(origin);
        return q == null ? null : q.get(seq);
    }

    /** The highest sequence number of {@code origin} waiting here, or 0. */
    long highest(String origin) {
        TreeMap<Long, Operation> q = byOrigin.get(origin);
        return q == null || q.isEmpty() ? 0 : q.lastKey();
    }

    /**
     * Buffers {@code op}. When full, the entry farthest ahead of its origin's applied sequence goes
     * (the new one, if it is the farthest).
     *
     * @param applied the applied sequence per origin
     * @return the entry dropped to make room (possibly {@code op} itself), or null
     */
    Operation add(Operation op, Map<String, Long> applied) {
        Operation dropped = null;
        if (size >= capacity) {
            Operation victim = farthest(applied);
            if (victim == null || distance(victim, applied) <= distance(op, applied)) {
                return op;
            }
            remove(victim);
            dropped = victim;
        }
        byOrigin.computeIfAbsent(op.origin(), o -> new TreeMap<>()).put(op.originSeq(), op);
        size++;
        return dropped;
    }

    void remove(Operation op) {
        TreeMap<Long, Operation> q = byOrigin.get(op.origin());
        if (q != null && q.remove(op.originSeq()) != null) {
            size--;
            if (q.isEmpty()) {
                byOrigin.remove(op.origin());
            }
        }
    }

    /** Drops what became a duplicate: entries of {@code origin} up to {@code appliedSeq}. */
    void dropUpTo(String origin, long appliedSeq) {
        TreeMap<Long, Operation> q = byOrigin.get(origin);
        while (q != null && !q.isEmpty() && q.firstKey() <= appliedSeq) {
            remove(q.firstEntry().getValue());
            q = byOrigin.get(origin);
        }
    }

    List<String> origins() {
        return new ArrayList<>(byOrigin.keySet());
    }

    void clear() {
        byOrigin.clear();
        size = 0;
    }

    private static long distance(Operation op, Map<String, Long> applied) {
        return op.originSeq() - applied.getOrDefault(op.origin(), 0L);
    }

    private Operation farthest(Map<String, Long> applied) {
        Operation best = null;
        for (TreeMap<Long, Operation> q : byOrigin.values()) {
            Operation last = q.lastEntry().getValue();
            if (best == null || distance(last, applied) > distance(best, applied)) {
                best = last;
            }
        }
        return best;
    }
}
