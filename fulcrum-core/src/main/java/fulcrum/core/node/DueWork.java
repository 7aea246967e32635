package fulcrum.core.node;

/**
 * Work an input asks for but leaves to the next {@link ReplicaNode#tick} or {@link ReplicaNode#ready}:
 * done once however many inputs asked, and where the node can do it safely.
 */
final class DueWork {
    /** Ask peers for entries missing from what they announced or sent (anti-entropy), at the next Ready. */
    boolean gapCheck = true;
    /** Held entries may have become ready (after a restart, a join step): apply them at the next Ready. */
    boolean drain = true;
    /** A peer compacted entries this replica lacks: rejoin from a snapshot at a tick between rounds. */
    boolean rejoin;
}
