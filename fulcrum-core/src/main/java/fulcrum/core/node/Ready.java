package fulcrum.core.node;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.StoreBatch;
import java.util.List;
import java.util.Objects;

/**
 * What the node asks its caller to do, in this order (the durability rules depend on it):
 * <ol>
 *   <li>commit {@link #commit()} with one synced write (stop on failure);</li>
 *   <li>publish {@link #messages()} and {@link #deadLetters()} persistently, with confirms, and wait
 *       for them (on failure: requeue {@link #acks()}, send nothing else, call
 *       {@code ReplicaNode.advance(ready, false)});</li>
 *   <li>send {@link #replies()};</li>
 *   <li>ack {@link #acks()} and requeue {@link #requeues()};</li>
 *   <li>announce {@link #status()} (transient, no confirm), then call {@code advance(ready, true)}.</li>
 * </ol>
 * Readys may be pipelined (a later one handed out while earlier ones are carried out) as long as each
 * keeps this order for itself, they are committed and advanced in the order they were handed out,
 * and one that is no longer {@code ReplicaNode.deliverable} is handed back like a failed one.
 * In {@link NodeConfig.Replication#EAGER} mode the messages carry every own entry not yet
 * published, so a write is answered only once it is on disk here and in every peer's merge queue.
 *
 * @param serving whether the node serves commands: the caller consumes the command queue only then
 * @param notes   what happened, one line each, for the caller's log
 */
public record Ready(long id, StoreBatch commit, List<Outbound> messages, List<DeadLetter> deadLetters,
                    List<OutboundReply> replies, List<DeliveryRef> acks, List<DeliveryRef> requeues,
                    ReplicaStatus status, boolean serving, List<String> notes) {

    /** Where a peer message goes. */
    public enum Route {
        /** the {@code fulcrum.merge} fanout: every replica's merge queue */
        MERGE_FANOUT,
        /** straight to one replica's merge queue */
        DIRECT
    }

    /** A peer message to publish persistently; {@code to} only for {@link Route#DIRECT}. */
    public record Outbound(Route route, String to, PeerMessage message) {
        public Outbound {
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(message, "message");
            if ((route == Route.DIRECT) != (to != null)) {
                throw new IllegalArgumentException("a direct message needs a destination, a fanout none");
            }
        }
    }

    /**
     * An answer to a client. {@code batchedCommandId} is null for a command that came alone; for one
     * that came in a batch ({@link ReplicaNode#onCommandBatch}) it is the command's id, and the
     * caller sends the consecutive replies of one batch (same address, all batched) as one message.
     */
    public record OutboundReply(ReplyAddress address, Reply reply, String batchedCommandId) {
        public OutboundReply {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(reply, "reply");
        }

        public OutboundReply(ReplyAddress address, Reply reply) {
            this(address, reply, null);
        }

        public boolean batched() {
            return batchedCommandId != null;
        }
    }

    /** A delivery to move to the dead-letter queue, with the reason; acked like any other. */
    public record DeadLetter(DeliveryRef delivery, ErrorCode code, String reason) {
        public DeadLetter {
            Objects.requireNonNull(delivery, "delivery");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }
    }

    public Ready {
        Objects.requireNonNull(commit, "commit");
        messages = List.copyOf(messages);
        deadLetters = List.copyOf(deadLetters);
        replies = List.copyOf(replies);
        acks = List.copyOf(acks);
        requeues = List.copyOf(requeues);
        notes = List.copyOf(notes);
    }

    /** Nothing to do at all. */
    public boolean isEmpty() {
        return commit.isEmpty() && messages.isEmpty() && deadLetters.isEmpty() && replies.isEmpty() && acks.isEmpty()
                && requeues.isEmpty() && status == null;
    }
}
