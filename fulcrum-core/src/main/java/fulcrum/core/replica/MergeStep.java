package fulcrum.core.replica;

import java.util.List;
import java.util.SortedMap;

/**
 * What {@link Replica#applyRemote(java.util.Collection)} decided for a batch of peer operations. The
 * caller persists {@code planetsToPersist} and {@code appliedSeqToPersist} in one synced write (they
 * are the whole effect; {@code applied} is informative, e.g. for a replica that also keeps peers'
 * operations to answer resend requests), then acknowledges the deliveries, then sends
 * {@code resendRequests}.
 *
 * <p>Operations that were buffered (waiting for a missing predecessor) are not part of the effect
 * and are lost on a crash; that is safe because they stay in their origin's op log until every
 * replica has announced that it applied them (see {@code OpLogs.compactableUpTo}), and the
 * resulting gap is detected and re-requested.
 *
 * @param applied             operations applied, in the order they were applied (per origin: in
 *                            {@code originSeq} order, without gaps)
 * @param planetsToPersist    the new state of every planet this batch changed
 * @param appliedSeqToPersist the new applied sequence of every origin this batch advanced
 * @param resendRequests      what to ask for (sorted by origin, at most one per origin)
 * @param duplicates          operations ignored because they were already applied or buffered
 * @param buffered            operations of this batch put in the in-memory buffer to wait for a
 *                            predecessor (a later one of the batch may have evicted some of them)
 * @param dropped             operations neither applied nor buffered because the buffer was full
 */
public record MergeStep(List<Operation> applied, SortedMap<String, Planet> planetsToPersist,
                        SortedMap<String, Long> appliedSeqToPersist, List<ResendRequest> resendRequests,
                        int duplicates, int buffered, int dropped) {
    public MergeStep {
        applied = List.copyOf(applied);
        planetsToPersist = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(planetsToPersist));
        appliedSeqToPersist = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(appliedSeqToPersist));
        resendRequests = List.copyOf(resendRequests);
    }

    /** True when there is something to persist. */
    public boolean changedState() {
        return !applied.isEmpty();
    }
}
