package fulcrum.core.router;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One client message the router has forwarded and whose final answer it has not given yet. It
 * moves along {@code order}: a write only after a {@code STALE} answer, a query also when the
 * replica asked last is silent for too long. Each step is a forward with an id of its own; a
 * query's earlier forwards stay outstanding (a replica that was down may still answer from its
 * queue), a write never has more than one.
 */
final class Flight {
    final ClientMessage message;
    final ClientMessage.Decoded envelope;
    final List<String> order;
    /** The inbound message, to ack once the first forward is confirmed. */
    final InboundRef inbound;
    /** Forwards whose reply may still come; at most one per replica of {@link #order}. */
    final Set<String> outstanding = new LinkedHashSet<>();
    /** Index in {@link #order} of the replica asked last. */
    int attempt = -1;
    /** The forward to the replica asked last. */
    String latestForwardId;
    /** The ack of {@link #inbound} was handed to the shell: the broker will not deliver the message again. */
    boolean inboundAcked;

    Flight(ClientMessage message, ClientMessage.Decoded envelope, List<String> order, InboundRef inbound) {
        this.message = message;
        this.envelope = envelope;
        this.order = List.copyOf(order);
        this.inbound = inbound;
    }

    boolean isWrite() {
        return envelope.command().kind().isWrite();
    }

    String replica() {
        return order.get(attempt);
    }

    boolean hasNextReplica() {
        return attempt + 1 < order.size();
    }
}
