package fulcrum.core.router;

import java.util.List;

/**
 * One client message the router has forwarded and whose final answer it has not relayed yet. It
 * moves along {@code order} (a write only after a {@code STALE} answer, a query also after a
 * timeout) and gets a new forward id at each step, so that a late reply of an earlier step is
 * recognised as unknown and ignored.
 */
final class Flight {
    final ClientMessage message;
    final ClientMessage.Decoded envelope;
    final List<String> order;
    /** The inbound message, to ack once the first forward is confirmed. */
    final InboundRef inbound;
    /** Index in {@link #order} of the replica asked now. */
    int attempt;
    String forwardId;
    /** Order of this forward among all forwards: the smallest is the oldest, evicted first. */
    long sequence;
    /** When a query gives up on the replica asked now; unused for writes. */
    long deadlineMillis;
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
