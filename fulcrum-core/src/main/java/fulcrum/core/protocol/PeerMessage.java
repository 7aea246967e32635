package fulcrum.core.protocol;

/**
 * A message between replicas. Every one is untrusted input to its receiver: the node validates it
 * ({@code MessageRules}) before it touches any state, and dead-letters what fails.
 *
 * <p>Where each travels: {@link Delta}, {@link MergeNow} and {@link JoinRequest} on the
 * {@code fulcrum.merge} fanout (every replica's merge queue); {@link ResendRequest},
 * {@link Compacted}, {@link JoinOffer}, {@link SnapshotRequest} and {@link SnapshotChunk} straight to
 * one replica's merge queue; {@link ReplicaStatus} on the {@code fulcrum.status} fanout (transient).
 */
public sealed interface PeerMessage
        permits Delta, ResendRequest, Compacted, MergeNow, JoinRequest, JoinOffer, SnapshotRequest, SnapshotChunk,
        ReplicaStatus {

    /** The AMQP {@code type} this message travels with. */
    String type();
}
