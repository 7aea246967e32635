package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.IncarnationStart;
import java.util.Map;
import java.util.TreeMap;

/**
 * Peers' entries into this replica: applied per origin in sequence order and causally (an entry
 * waits until this replica has every write on its planet that its origin had seen), exactly once
 * (duplicates are no-ops), each checked against the state right before it is applied.
 *
 * <p>Causal readiness keeps the invariant that a planet's clock counts exactly the entries applied
 * to it, so a clock handed to a client never promises a write that is not there, and an AddCity is
 * never overtaken by the updates of its city. It also makes the check of an entry's own clock exact:
 * its origin's entry must be one more than this replica's (a refusal's: equal).
 */
final class MergePath {
    /** What became of one delta. */
    record Intake(int applied, int duplicates, int buffered, int dropped, String problem) {
    }

    private final String self;
    private final NodeState state;
    private final EntryApplier applier;
    private final MessageRules rules;
    private final ReorderBuffer buffer;
    private long appliedTotal;
    private long rejectedTotal;

    MergePath(String self, NodeState state, EntryApplier applier, MessageRules rules, int capacity) {
        this.self = self;
        this.state = state;
        this.applier = applier;
        this.rules = rules;
        this.buffer = new ReorderBuffer(capacity);
    }

    /**
     * Takes a (structurally valid) delta. Returns a problem when the delta contradicts what this
     * replica holds: then the caller dead-letters it; the entries before the problem may have been
     * applied (each entry stands alone).
     */
    Intake take(Delta delta) {
        int applied = 0;
        int duplicates = 0;
        int buffered = 0;
        int dropped = 0;
        for (Operation op : delta.operations()) {
            String problem = incarnationProblem(op);
            if (problem != null) {
                return new Intake(applied, duplicates, buffered, dropped, problem);
            }
            long seq = op.originSeq();
            if (seq <= state.applied(op.origin()) || buffer.holds(op.origin(), seq)) {
                duplicates++;
                continue;
            }
            if (isNext(op) && causallyReady(op)) {
                problem = applyChecked(op);
                if (problem != null) {
                    return new Intake(applied, duplicates, buffered, dropped, problem);
                }
                applied += 1 + drain();
                continue;
            }
            Operation out = buffer.add(op, state.applied());
            if (out != op) {
                buffered++;
            }
            if (out != null) {
                dropped++;
            }
        }
        return new Intake(applied, duplicates, buffered, dropped, null);
    }

    /** Applies whatever in the buffer became ready; returns how many. */
    int drain() {
        int count = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String origin : buffer.origins()) {
                buffer.dropUpTo(origin, state.applied(origin));
                Operation head = buffer.get(origin, state.applied(origin) + 1);
                if (head != null && causallyReady(head)) {
                    buffer.remove(head);
                    String problem = applyChecked(head);
                    if (problem == null) {
                        count++;
                        progress = true;
                    }
                }
            }
        }
        return count;
    }

    /**
     * The origins whose next entry is missing (a gap, or a causal predecessor of a buffered entry),
     * with the sequence number to ask from.
     */
    Map<String, Long> missing() {
        TreeMap<String, Long> needed = new TreeMap<>();
        for (String origin : buffer.origins()) {
            Operation head = buffer.get(origin, state.applied(origin) + 1);
            if (head == null) {
                needed.put(origin, state.applied(origin) + 1);
                continue;
            }
            VectorClock have = applier.clockOf(head.planet());
            for (Map.Entry<String, Long> c : head.clock().asMap().entrySet()) {
                String j = c.getKey();
                if (!j.equals(origin) && have.get(j) < c.getValue() && !buffer.holds(j, state.applied(j) + 1)) {
                    needed.put(j, state.applied(j) + 1);
                }
            }
        }
        return needed;
    }

    boolean holds(String origin, long seq) {
        return buffer.holds(origin, seq);
    }

    /** The highest entry of {@code origin} applied or waiting here. */
    long held(String origin) {
        return Math.max(state.applied(origin), buffer.highest(origin));
    }

    int buffered() {
        return buffer.size();
    }

    void clear() {
        buffer.clear();
    }

    long appliedTotal() {
        return appliedTotal;
    }

    long rejectedTotal() {
        return rejectedTotal;
    }

    private boolean isNext(Operation op) {
        return op.originSeq() == state.applied(op.origin()) + 1;
    }

    private boolean causallyReady(Operation op) {
        if (!op.kind().changesState()) {
            return true;
        }
        VectorClock have = applier.clockOf(op.planet());
        for (Map.Entry<String, Long> e : op.clock().asMap().entrySet()) {
            if (!e.getKey().equals(op.origin()) && have.get(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The last checks, against the state the entry is applied to; then the entry is applied. */
    private String applyChecked(Operation op) {
        long have = applier.clockOf(op.planet()).get(op.origin());
        long expected = op.kind().changesState() ? have + 1 : have;
        if (op.clock().get(op.origin()) != expected) {
            rejectedTotal++;
            return "entry " + op.id() + " says " + op.origin() + " had written " + op.clock().get(op.origin())
                    + " time(s) on " + op.planet() + ", but its earlier entries make " + expected;
        }
        if (!state.knowsIncarnation(op.origin(), op.incarnation())) {
            state.addIncarnationStart(op.origin(), new IncarnationStart(op.incarnation(), op.originSeq()));
        }
        applier.apply(op, !op.origin().equals(self));
        state.setApplied(op.origin(), op.originSeq());
        appliedTotal++;
        return null;
    }

    /**
     * An entry id belongs to one incarnation of its origin: sequence numbers continue across
     * incarnations, so an entry whose number an incarnation it is not from owns is a reuse, never a
     * duplicate to drop silently.
     */
    private String incarnationProblem(Operation op) {
        IncarnationStart owner = state.owner(op.origin(), op.originSeq());
        if (owner == null || owner.incarnation() == op.incarnation()) {
            if (owner == null && state.knowsIncarnation(op.origin(), op.incarnation())) {
                return "entry " + op.id() + " of incarnation " + op.incarnation() + " precedes that incarnation's start";
            }
            return null;
        }
        boolean newer = !state.knowsIncarnation(op.origin(), op.incarnation()) && op.originSeq() > state.applied(op.origin());
        if (newer) {
            return null; // a new incarnation of the origin starts here (recorded when applied)
        }
        return "entry " + op.id() + " comes from incarnation " + op.incarnation() + " but #" + op.originSeq()
                + " belongs to incarnation " + owner.incarnation() + " of " + op.origin() + " (an id reused)";
    }
}
