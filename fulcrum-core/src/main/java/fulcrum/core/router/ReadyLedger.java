package fulcrum.core.router;

import fulcrum.core.router.RouterReady.DeadLetter;
import fulcrum.core.router.RouterReady.Forward;
import fulcrum.core.router.RouterReady.Relay;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The router core's outputs and the acks they allow: what the next {@link RouterReady} will hold,
 * the Readies handed out and not advanced yet (oldest first), and the inbound messages whose
 * forward or dead letter was confirmed, to ack in the next Ready. An inbound message is acked only
 * after the publish that took it over was confirmed: its ack waits with the Ready of that publish
 * until the shell advances it.
 */
final class ReadyLedger {
    /** An inbound message to ack once the publish that took it over is confirmed (flight null for a rejection). */
    private record AckDue(InboundRef ref, Flight flight) {
    }

    /** A Ready handed out, with the outputs it was made of. */
    private record Handed(RouterReady ready, Outputs outputs) {
    }

    /** What one Ready holds, and which acks its confirms allow. */
    private static final class Outputs {
        final LinkedHashMap<String, Forward> forwards = new LinkedHashMap<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final List<Relay> relays = new ArrayList<>();
        final LinkedHashMap<String, AckDue> ackAfterForward = new LinkedHashMap<>();
        final List<AckDue> ackAfterDeadLetter = new ArrayList<>();

        int size() {
            return forwards.size() + deadLetters.size() + relays.size();
        }
    }

    private Outputs next = new Outputs();
    private final ArrayDeque<Handed> outstanding = new ArrayDeque<>();
    private final List<AckDue> dueAcks = new ArrayList<>();
    /** Answers a {@link #reset} put into the next Ready, beyond what inputs may add. */
    private int carriedByReset;

    void forward(Forward forward) {
        next.forwards.put(forward.forwardId(), forward);
    }

    /** {@code inbound} is acked once the Ready that publishes forward {@code forwardId} is advanced. */
    void ackAfterForward(String forwardId, InboundRef inbound, Flight flight) {
        next.ackAfterForward.put(forwardId, new AckDue(inbound, flight));
    }

    void relay(Relay relay) {
        next.relays.add(relay);
    }

    /** A dead letter in the next Ready; {@code inbound}, when not null, is acked once it is confirmed. */
    void deadLetter(DeadLetter deadLetter, InboundRef inbound) {
        next.deadLetters.add(deadLetter);
        if (inbound != null) {
            next.ackAfterDeadLetter.add(new AckDue(inbound, null));
        }
    }

    /** The forward {@code forwardId} of a Ready not advanced yet, or null (unknown, or advanced). */
    Forward outstandingForward(String forwardId) {
        Outputs holder = holderOf(forwardId);
        return holder == null ? null : holder.forwards.get(forwardId);
    }

    /**
     * Forward {@code forwardId} of an outstanding Ready was returned: {@code deadLetter} goes into the
     * next Ready, and the ack its inbound message waited for now waits for that dead letter instead.
     */
    void returned(String forwardId, DeadLetter deadLetter) {
        Outputs holder = holderOf(forwardId);
        next.deadLetters.add(deadLetter);
        AckDue due = holder == null ? null : holder.ackAfterForward.remove(forwardId);
        if (due != null) {
            next.ackAfterDeadLetter.add(due);
        }
    }

    boolean hasReady() {
        return next.size() > 0 || !dueAcks.isEmpty();
    }

    /** Hands out the next Ready, with the acks due; a flight whose inbound message is acked is marked so. */
    RouterReady take() {
        List<InboundRef> acks = new ArrayList<>(dueAcks.size());
        for (AckDue due : dueAcks) {
            if (due.flight() != null) {
                due.flight().inboundAcked = true; // from here on, the broker may never deliver it again
            }
            acks.add(due.ref());
        }
        dueAcks.clear();
        RouterReady ready = new RouterReady(List.copyOf(next.forwards.values()), next.deadLetters, next.relays, acks);
        outstanding.addLast(new Handed(ready, next));
        next = new Outputs();
        carriedByReset = 0;
        return ready;
    }

    int outstandingReadies() {
        return outstanding.size();
    }

    /** {@code ready}, the oldest outstanding one, was carried out: the acks its confirms allow are due. */
    void advance(RouterReady ready) {
        Handed oldest = outstanding.peekFirst();
        if (oldest == null || oldest.ready() != ready) {
            throw new IllegalStateException("advance with a Ready that is not the oldest outstanding one");
        }
        outstanding.removeFirst();
        dueAcks.addAll(oldest.outputs().ackAfterForward.values());
        dueAcks.addAll(oldest.outputs().ackAfterDeadLetter);
    }

    /**
     * Forgets every Ready handed out and every ack due (the broker delivers those messages again);
     * answers already decided are kept for the next Ready.
     */
    void reset() {
        List<Relay> decided = new ArrayList<>();
        for (Handed handed : outstanding) {
            decided.addAll(handed.outputs().relays);
        }
        decided.addAll(next.relays);
        outstanding.clear();
        next = new Outputs();
        next.relays.addAll(decided);
        dueAcks.clear();
    }

    /** What the next Ready holds now counts as carried over by a reset (see {@link #waiting}). */
    void carriedOverByReset() {
        carriedByReset = next.size();
    }

    /** Outputs the next Ready holds beyond what a reset carried into it. */
    int waiting() {
        return next.size() - carriedByReset;
    }

    private Outputs holderOf(String forwardId) {
        for (Handed handed : outstanding) {
            if (handed.outputs().forwards.containsKey(forwardId)) {
                return handed.outputs();
            }
        }
        return null;
    }
}
