package fulcrum.core.store;

/** Where a replica's store stands in its life; kept in the store so that a restart resumes it. */
public enum Phase {
    /** Just created: no incarnation, no data. */
    NEW,
    /**
     * Joining the cluster under a new incarnation: asking the peers what they hold, copying a peer's
     * snapshot, catching up on its own older operations. The data may be partial; never served.
     */
    JOINING,
    /** Complete: serves commands. */
    SERVING
}
