package fulcrum.core.node;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.replica.Reply;
import java.util.ArrayList;
import java.util.List;

/** What the node has decided to send since the last {@link Ready}, in the order it decided it. */
final class Outbox {
    final List<Ready.Outbound> messages = new ArrayList<>();
    final List<Ready.DeadLetter> deadLetters = new ArrayList<>();
    final List<Ready.OutboundReply> replies = new ArrayList<>();
    final List<DeliveryRef> acks = new ArrayList<>();
    final List<DeliveryRef> requeues = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    private final java.util.Set<DeliveryRef> acked = new java.util.HashSet<>();
    private final NodeCounters counters;

    Outbox(NodeCounters counters) {
        this.counters = counters;
    }

    void fanout(PeerMessage m) {
        messages.add(new Ready.Outbound(Ready.Route.MERGE_FANOUT, null, m));
    }

    void direct(String to, PeerMessage m) {
        messages.add(new Ready.Outbound(Ready.Route.DIRECT, to, m));
    }

    void reply(ReplyAddress address, Reply reply) {
        if (address.wanted()) {
            replies.add(new Ready.OutboundReply(address, reply));
        }
    }

    /** The answer to one command of a batch: sent with the batch's other answers, in one message. */
    void batchedReply(ReplyAddress address, String commandId, Reply reply) {
        if (address.wanted()) {
            replies.add(new Ready.OutboundReply(address, reply, commandId));
        }
    }

    /** Dead-letters a delivery (and acks it: a poison message never comes back), noted and counted. */
    void deadLetter(DeliveryRef ref, ErrorCode code, String reason) {
        deadLetters.add(new Ready.DeadLetter(ref, code, reason));
        ack(ref);
        note("dead-lettered a " + ref.source().name().toLowerCase() + " message: " + code + " " + reason);
        counters.deadLetter(ref.source(), code);
    }

    void ack(DeliveryRef ref) {
        if (ref.source() != DeliveryRef.Source.STATUS && acked.add(ref)) {
            acks.add(ref);
        }
    }

    void note(String line) {
        notes.add(line);
    }

    boolean isEmpty() {
        return messages.isEmpty() && deadLetters.isEmpty() && replies.isEmpty() && acks.isEmpty() && requeues.isEmpty();
    }

    void clear() {
        messages.clear();
        deadLetters.clear();
        replies.clear();
        acks.clear();
        requeues.clear();
        notes.clear();
        acked.clear();
    }
}
