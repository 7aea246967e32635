package fulcrum.worker;

import fulcrum.core.node.NodeStats;

/**
 * What the worker shell reports to its metrics: the node's counters after every loop round, and
 * what only the shell can measure (the synced commit, the time from a command's delivery to its
 * ack). The adapter behind it owns the meters; {@link #NONE} records nothing.
 */
public interface ReplicaMetrics {
    ReplicaMetrics NONE = new ReplicaMetrics() {
        @Override
        public void observe(NodeStats stats) {
        }

        @Override
        public void committed(int deliveries, long nanos) {
        }

        @Override
        public void commandSettled(long nanos) {
        }
    };

    /** The node's counts and state as of the end of a loop round (called from the loop thread). */
    void observe(NodeStats stats);

    /** One synced commit that settles {@code deliveries} deliveries (commands and merge traffic), in {@code nanos}. */
    void committed(int deliveries, long nanos);

    /** A command answered and acked, or dead-lettered, {@code nanos} after the consumer took its delivery. */
    void commandSettled(long nanos);
}
