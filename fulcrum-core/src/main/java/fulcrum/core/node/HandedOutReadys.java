package fulcrum.core.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The Readys a node handed out and the caller has not advanced yet, oldest first, each with the own
 * entries it publishes: the order in which they must be advanced, and which of them may still be
 * delivered. When one is advanced as not delivered, every Ready handed out before that is poisoned:
 * its answers may rest on entries whose publication failed, so it may only be handed back.
 */
final class HandedOutReadys {
    /** One Ready handed out; {@code undeliverable} once an earlier one failed after it was handed out. */
    record Pending(Ready ready, long publishesThrough, boolean undeliverable) {
    }

    private final Deque<Pending> pending = new ArrayDeque<>();

    void add(Ready ready, long publishesThrough) {
        pending.addLast(new Pending(ready, publishesThrough, false));
    }

    /** @throws IllegalStateException when {@code ready} is not handed out (or was advanced already) */
    boolean deliverable(Ready ready) {
        for (Pending p : pending) {
            if (p.ready() == ready) {
                return !p.undeliverable();
            }
        }
        throw new IllegalStateException("Ready " + ready.id() + " is not outstanding");
    }

    /**
     * Takes {@code ready}, which must be the oldest handed out, as advanced.
     *
     * @throws IllegalStateException when Readys are advanced out of order, or an undeliverable one as delivered
     */
    Pending advance(Ready ready, boolean delivered) {
        Pending p = pending.peekFirst();
        if (p == null || p.ready() != ready) {
            throw new IllegalStateException("Readys must be advanced in the order they were handed out");
        }
        if (delivered && p.undeliverable()) {
            throw new IllegalStateException("Ready " + ready.id() + " was handed out before an earlier one failed: "
                    + "it cannot be delivered, only handed back");
        }
        pending.removeFirst();
        return p;
    }

    /** An earlier Ready failed: none still handed out may be delivered, and what they publish restarts from {@code publishedMark}. */
    void poisonAll(long publishedMark) {
        List<Pending> later = new ArrayList<>(pending);
        pending.clear();
        later.forEach(q -> pending.addLast(new Pending(q.ready(), publishedMark, true)));
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    List<Ready> readys() {
        List<Ready> list = new ArrayList<>(pending.size());
        pending.forEach(p -> list.add(p.ready()));
        return list;
    }
}
