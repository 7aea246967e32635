package fulcrum.core.node;

import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.replica.ConflictKind;
import fulcrum.core.store.Phase;
import java.util.Map;
import java.util.SortedMap;

/**
 * Counts and state for logs, status and metrics.
 *
 * @param commands              per command kind ({@link NodeCounters#UNKNOWN_KIND} when unreadable), per outcome
 *                              ({@link NodeCounters#OK}, {@link NodeCounters#DEDUP}, or the error code answered)
 * @param mergeRounds           per trigger ({@link NodeCounters#ROUND_INTERVAL}, {@link NodeCounters#ROUND_REQUESTED})
 * @param sentTo                per peer, own or resent entries published to it (confirmed)
 * @param receivedFrom          per origin, entries taken from the merge queue (duplicates included)
 * @param deadLettersBySource   per queue ({@code commands}, {@code merge}, {@code status}), per error code
 * @param behind                per peer, entries of its stream known to exist and not applied here
 * @param opLogLength           entries in the op log, from above each origin's compaction floor
 * @param refusedSenders        per sender ({@code ""}: no user_id), merge and status messages refused
 *                              by peer authentication
 */
public record NodeStats(Phase phase, long incarnation, Map<String, Long> applied, long published,
                        Map<String, Long> compacted, long waiting, long executed, long refused, long answeredFromRecord,
                        long merged, long rejectedEntries, long deadLetters, Map<String, Long> deadLettersByCode,
                        Map<ConflictKind, Long> conflicts, ReplicaStatus.JoinProgress join, int snapshotsServing,
                        long snapshotPagesServed, Map<String, SortedMap<String, Long>> commands,
                        Map<String, Long> mergeRounds, Map<String, Long> sentTo, Map<String, Long> receivedFrom,
                        Map<String, SortedMap<String, Long>> deadLettersBySource, Map<String, Long> behind,
                        long opLogLength, Map<String, Long> refusedSenders) {
}
