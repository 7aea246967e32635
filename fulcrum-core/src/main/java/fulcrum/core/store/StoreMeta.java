package fulcrum.core.store;

import fulcrum.core.replica.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The small part of a store that a replica keeps in memory: read at open, changed only through
 * {@link StoreBatch}es.
 *
 * @param replicaId     the replica the store belongs to
 * @param phase         see {@link Phase}
 * @param incarnation   this store's incarnation, 0 while {@link Phase#NEW}
 * @param appliedSeq    per origin, the highest sequence number applied (own entries included)
 * @param compactedUpTo per origin, the op-log entries up to this number were deleted (every replica
 *                      had applied them) or never held (installed from a snapshot); kept when the
 *                      state is cleared, so after a clear a floor may lie above the applied mark: the
 *                      op log alone can then no longer rebuild the state
 * @param publishedUpTo own entries 1..publishedUpTo were published and confirmed
 * @param incarnations  per origin, the starts of its incarnations known here, in order
 * @param deletedUpTo   per origin, how far compaction deleted entries (every replica had applied
 *                      them): their effects live only in replicas' states, so a cluster whose
 *                      replicas all lost their state cannot rebuild it from op logs; kept by a clear
 */
public record StoreMeta(String replicaId, Phase phase, long incarnation, SortedMap<String, Long> appliedSeq,
                        SortedMap<String, Long> compactedUpTo, long publishedUpTo,
                        SortedMap<String, List<IncarnationStart>> incarnations, SortedMap<String, Long> deletedUpTo) {
    public StoreMeta {
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(phase, "phase");
        appliedSeq = Collections.unmodifiableSortedMap(new TreeMap<>(appliedSeq));
        compactedUpTo = Collections.unmodifiableSortedMap(new TreeMap<>(compactedUpTo));
        deletedUpTo = Collections.unmodifiableSortedMap(new TreeMap<>(deletedUpTo));
        TreeMap<String, List<IncarnationStart>> inc = new TreeMap<>();
        incarnations.forEach((origin, starts) -> inc.put(origin, List.copyOf(starts)));
        incarnations = Collections.unmodifiableSortedMap(inc);
        if (incarnation < 0 || (phase == Phase.NEW) != (incarnation == 0)) {
            throw new IllegalArgumentException("phase " + phase + " with incarnation " + incarnation);
        }
        if (publishedUpTo < 0 || publishedUpTo > appliedSeq.getOrDefault(replicaId, 0L)) {
            throw new IllegalArgumentException("published mark " + publishedUpTo + " beyond own applied "
                    + appliedSeq.getOrDefault(replicaId, 0L));
        }
        incarnations.forEach((origin, starts) -> {
            for (int i = 1; i < starts.size(); i++) {
                IncarnationStart a = starts.get(i - 1);
                IncarnationStart b = starts.get(i);
                // incarnations are drawn at random, so only their starts are ordered; each is distinct
                if (a.firstSeq() >= b.firstSeq()) {
                    throw new IllegalArgumentException("incarnation starts of " + origin + " are not increasing: "
                            + starts);
                }
            }
            if (starts.stream().map(IncarnationStart::incarnation).distinct().count() != starts.size()) {
                throw new IllegalArgumentException("an incarnation of " + origin + " starts twice: " + starts);
            }
        });
    }

    /** The meta of a store that was just created. */
    public static StoreMeta fresh(String replicaId) {
        return new StoreMeta(replicaId, Phase.NEW, 0, new TreeMap<>(), new TreeMap<>(), 0, new TreeMap<>(), new TreeMap<>());
    }

    public long applied(String origin) {
        return appliedSeq.getOrDefault(origin, 0L);
    }

    public long compacted(String origin) {
        return compactedUpTo.getOrDefault(origin, 0L);
    }

    /** Whether compaction ever deleted an entry from this op log. */
    public boolean deletedAny() {
        return deletedUpTo.values().stream().anyMatch(v -> v > 0);
    }

    /**
     * This meta with {@code batch}'s meta changes applied (what a commit of the batch leaves).
     *
     * @throws IllegalArgumentException when the result breaks an invariant, or the batch lowers an
     *                                  applied sequence without clearing the data first (entries
     *                                  beyond the applied mark are fine: the op log holds entries
     *                                  taken but not yet applied)
     */
    public StoreMeta after(StoreBatch batch) {
        TreeMap<String, Long> applied = new TreeMap<>(batch.clearsData() ? Map.of() : appliedSeq);
        // A clear keeps the op log and what compaction deleted from it; floors raised by an installed
        // snapshot go with the state they stood for.
        TreeMap<String, Long> deleted = new TreeMap<>(deletedUpTo);
        TreeMap<String, Long> compacted = new TreeMap<>(batch.clearsData() ? deletedUpTo : compactedUpTo);
        TreeMap<String, List<IncarnationStart>> inc = new TreeMap<>(incarnations); // a clear keeps them
        long published = batch.clearsData() ? 0 : publishedUpTo;
        batch.appliedSeq().forEach((origin, seq) -> {
            // applied marks only grow (a join that starts over clears them first): entries up to a
            // mark must stay covered by it
            if (seq < applied.getOrDefault(origin, 0L)) {
                throw new IllegalArgumentException("applied sequence of " + origin + " would go back from "
                        + applied.get(origin) + " to " + seq);
            }
        });
        applied.putAll(batch.appliedSeq());
        batch.compactUpTo().forEach((origin, upTo) -> compacted.merge(origin, upTo, Math::max));
        batch.compactUpTo().forEach((origin, upTo) -> deleted.merge(origin, upTo, Math::max));
        batch.floors().forEach((origin, upTo) -> compacted.merge(origin, upTo, Math::max));
        batch.incarnationStarts().forEach((origin, start) -> {
            List<IncarnationStart> list = new ArrayList<>(inc.getOrDefault(origin, List.of()));
            if (!list.contains(start)) {
                list.add(start);
                list.sort(Comparator.comparingLong(IncarnationStart::firstSeq));
            }
            inc.put(origin, list);
        });
        if (batch.publishedUpTo() != null) {
            published = batch.publishedUpTo();
        }
        Phase nextPhase = batch.phase() != null ? batch.phase() : phase;
        long nextIncarnation = batch.incarnation() != null ? batch.incarnation() : incarnation;
        return new StoreMeta(replicaId, nextPhase, nextIncarnation, applied, compacted, published, inc, deleted);
    }
}
