package fulcrum.core.node;

import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreMeta;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The node's copy of its store's meta as the node has decided it (committed or not): phase,
 * incarnation, applied vector, compaction floors, published mark, incarnation starts. Every change
 * goes into the batch being built at the same time, so memory and the next commit agree.
 */
final class NodeState {
    private final String self;
    private final StateView view;
    Phase phase;
    long incarnation;
    private final TreeMap<String, Long> applied = new TreeMap<>();
    private final TreeMap<String, Long> compacted = new TreeMap<>();
    private final TreeMap<String, Long> deleted = new TreeMap<>();
    private final TreeMap<String, List<IncarnationStart>> incarnations = new TreeMap<>();
    /** Own entries confirmed published (durable mark written lazily). */
    long published;
    /** The published mark last written into a batch. */
    long publishedWritten;

    /** Whether this replica serves (takes commands, publishes, answers joiners with a snapshot). */
    boolean serving() {
        return phase == Phase.SERVING;
    }

    NodeState(String self, StateView view, StoreMeta meta) {
        this.self = self;
        this.view = view;
        this.phase = meta.phase();
        this.incarnation = meta.incarnation();
        this.applied.putAll(meta.appliedSeq());
        this.compacted.putAll(meta.compactedUpTo());
        this.deleted.putAll(meta.deletedUpTo());
        this.incarnations.putAll(meta.incarnations());
        this.published = meta.publishedUpTo();
        this.publishedWritten = meta.publishedUpTo();
    }

    long applied(String origin) {
        return applied.getOrDefault(origin, 0L);
    }

    SortedMap<String, Long> applied() {
        return Collections.unmodifiableSortedMap(applied);
    }

    long compacted(String origin) {
        return compacted.getOrDefault(origin, 0L);
    }

    SortedMap<String, Long> compacted() {
        return Collections.unmodifiableSortedMap(compacted);
    }

    /** How far compaction deleted entries, per origin (kept by a clear). */
    SortedMap<String, Long> deleted() {
        return Collections.unmodifiableSortedMap(deleted);
    }

    SortedMap<String, List<IncarnationStart>> incarnations() {
        return Collections.unmodifiableSortedMap(incarnations);
    }

    long ownApplied() {
        return applied(self);
    }

    void setApplied(String origin, long seq) {
        if (seq < applied(origin)) {
            throw new IllegalStateException("applied sequence of " + origin + " would go back from " + applied(origin) + " to " + seq);
        }
        applied.put(origin, seq);
        view.batch().putAppliedSeq(origin, seq);
    }

    void setCompacted(String origin, long upTo) {
        compacted.put(origin, upTo);
        deleted.merge(origin, upTo, Math::max);
        view.compactOperations(origin, upTo);
    }

    /** Raises the floor without deleting what is held (after installing a snapshot). */
    void raiseFloor(String origin, long upTo) {
        compacted.merge(origin, upTo, Math::max);
        view.batch().raiseFloor(origin, upTo);
    }

    void setPhase(Phase next) {
        phase = next;
        view.batch().putPhase(next);
    }

    void setIncarnation(long next) {
        incarnation = next;
        view.batch().putIncarnation(next);
    }

    void addIncarnationStart(String origin, IncarnationStart start) {
        List<IncarnationStart> list = new ArrayList<>(incarnations.getOrDefault(origin, List.of()));
        if (!list.contains(start)) {
            list.add(start);
            list.sort((a, b) -> Long.compare(a.firstSeq(), b.firstSeq()));
            incarnations.put(origin, List.copyOf(list));
            view.batch().putIncarnationStart(origin, start);
        }
    }

    /**
     * The incarnation that wrote entry {@code (origin, seq)}, as far as known: the start with the
     * greatest first sequence number not above {@code seq}, or null.
     */
    IncarnationStart owner(String origin, long seq) {
        IncarnationStart owner = null;
        for (IncarnationStart s : incarnations.getOrDefault(origin, List.of())) {
            if (s.firstSeq() <= seq) {
                owner = s;
            }
        }
        return owner;
    }

    boolean knowsIncarnation(String origin, long incarnation) {
        return incarnations.getOrDefault(origin, List.of()).stream().anyMatch(s -> s.incarnation() == incarnation);
    }

    /** Forgets all data (a join that starts again); keeps phase and incarnation. */
    void clearData() {
        view.clearData();
        view.batch().putPhase(phase);
        if (incarnation > 0) {
            view.batch().putIncarnation(incarnation);
        }
        applied.clear();
        compacted.clear();
        compacted.putAll(deleted);
        published = 0;
        publishedWritten = 0;
    }

    /** Writes the published mark into the batch being built if it moved. */
    void writePublishedMark() {
        if (published != publishedWritten) {
            view.batch().putPublishedUpTo(published);
            publishedWritten = published;
        }
    }

    Map<String, Long> appliedCopy() {
        return new TreeMap<>(applied);
    }
}
