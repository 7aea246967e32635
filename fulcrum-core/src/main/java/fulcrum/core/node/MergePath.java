package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.IncarnationStart;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Peers' entries into this replica. Every entry taken is first <em>held</em>: written to the op log
 * in the same synced batch as the acknowledgement of its delivery, applied or not, so an entry a
 * replica acknowledged is never lost with its memory (a publisher that answered its client after
 * the broker confirmed the entry may lose its own disk next). Entries are then applied per origin
 * in sequence order and causally (an entry waits until this replica has every write on its planet
 * that its origin had seen), exactly once, each checked against the state right before.
 *
 * <p>Causal readiness keeps the invariant that a planet's clock counts exactly the entries applied
 * to it, so a clock handed to a client never promises a write that is not there, and an AddCity is
 * never overtaken by the updates of its city. It also makes the check of an entry's own clock
 * exact: its origin's count must be one more than this replica's (a refusal's: equal).
 */
final class MergePath {
    /** Above this distance from the applied mark an entry is not held: no real backlog gets near it. */
    static final long MAX_AHEAD = 1L << 20;
    /** Held entries read from the op log at once when applying: one read per run, not per entry. */
    static final int APPLY_RUN = 1_024;

    /** What became of one delta. */
    record Intake(int applied, int duplicates, int held, String problem) {
    }

    private final String self;
    private final List<String> origins;
    private final StateView view;
    private final NodeState state;
    private final EntryApplier applier;
    private final boolean causalDelivery;
    private long appliedTotal;
    private long rejectedTotal;
    private String lastRejection;

    MergePath(String self, List<String> origins, StateView view, NodeState state, EntryApplier applier,
              boolean causalDelivery) {
        this.self = self;
        this.origins = origins;
        this.view = view;
        this.state = state;
        this.applier = applier;
        this.causalDelivery = causalDelivery;
    }

    /**
     * Holds the entries of a (structurally valid) delta, then, when {@code apply}, applies what is
     * ready. Returns a problem when the delta contradicts what this replica holds: the caller
     * dead-letters it (entries before the problem are kept; each stands alone).
     */
    Intake take(Delta delta, boolean apply) {
        int duplicates = 0;
        int held = 0;
        for (Operation op : delta.operations()) {
            String problem = incarnationProblem(op);
            if (problem == null && op.originSeq() > state.applied(op.origin()) + MAX_AHEAD) {
                problem = "entry " + op.id() + " is " + (op.originSeq() - state.applied(op.origin()))
                        + " ahead of what this replica applied (at most " + MAX_AHEAD + ")";
            }
            if (problem != null) {
                return new Intake(apply ? drain() : 0, duplicates, held, problem);
            }
            if (op.originSeq() <= state.applied(op.origin())) {
                duplicates++;
                continue;
            }
            // nothing above the origin's last held entry is held: no op-log read for a backlog's new entries
            Operation holding = op.originSeq() > view.lastOperationSeq(op.origin()) ? null : entry(op.origin(), op.originSeq());
            if (holding != null) {
                if (!holding.equals(op)) {
                    return new Intake(apply ? drain() : 0, duplicates, held, "entry " + op.id()
                            + " differs from the one held under that id (" + holding + ")");
                }
                duplicates++;
                continue;
            }
            view.putOperation(op);
            held++;
        }
        return new Intake(apply ? drain() : 0, duplicates, held, null);
    }

    /** Applies every held entry that became ready; returns how many. */
    int drain() {
        int count = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String origin : origins) {
                int applied = drain(origin);
                count += applied;
                progress |= applied > 0;
            }
        }
        return count;
    }

    /** Applies the held entries of {@code origin} that are next and ready, a run read at a time. */
    private int drain(String origin) {
        if (!holdsUnapplied(origin)) {
            return 0;
        }
        int count = 0;
        // bounded: every run but the last applies APPLY_RUN entries, and at most MAX_AHEAD are held
        for (long runs = 0; runs <= MAX_AHEAD / APPLY_RUN; runs++) {
            List<Operation> run = view.operations(origin, state.applied(origin) + 1, APPLY_RUN);
            for (Operation next : run) {
                if (next.originSeq() != state.applied(origin) + 1 || !causallyReady(next) || !applyChecked(next)) {
                    return count;
                }
                count++;
            }
            if (run.size() < APPLY_RUN) {
                return count;
            }
        }
        return count;
    }

    /**
     * The origins whose next entry is missing (a gap, or a causal predecessor of a held entry),
     * with the sequence number to ask from.
     */
    Map<String, Long> missing() {
        TreeMap<String, Long> needed = new TreeMap<>();
        for (String origin : origins) {
            if (!holdsUnapplied(origin)) {
                continue;
            }
            Operation head = nextHeld(origin);
            if (head == null) {
                needed.put(origin, state.applied(origin) + 1);
                continue;
            }
            VectorClock have = applier.clockOf(head.planet());
            VectorClock wants = head.clock();
            for (int i = 0; i < wants.size(); i++) {
                String j = wants.idAt(i);
                if (!j.equals(origin) && have.get(j) < wants.countAt(i) && nextHeld(j) == null) {
                    needed.put(j, state.applied(j) + 1);
                }
            }
        }
        return needed;
    }

    /** Whether the entry after the applied mark of {@code origin} is held. */
    boolean holdsNext(String origin) {
        return nextHeld(origin) != null;
    }

    /** The highest entry of {@code origin} applied or held here. */
    long held(String origin) {
        return Math.max(state.applied(origin), view.lastOperationSeq(origin));
    }

    /** Entries held but not applied. */
    long waiting() {
        long n = 0;
        for (String origin : origins) {
            n += Math.max(0, view.lastOperationSeq(origin) - state.applied(origin));
        }
        return n;
    }

    long appliedTotal() {
        return appliedTotal;
    }

    long rejectedTotal() {
        return rejectedTotal;
    }

    /** The last entry refused at apply time, for the log; null when none since asked. */
    String takeLastRejection() {
        String r = lastRejection;
        lastRejection = null;
        return r;
    }

    /** Whether an entry of {@code origin} is held past its applied mark (known in memory: no op-log read). */
    private boolean holdsUnapplied(String origin) {
        return view.lastOperationSeq(origin) > state.applied(origin);
    }

    private Operation nextHeld(String origin) {
        return holdsUnapplied(origin) ? entry(origin, state.applied(origin) + 1) : null;
    }

    private Operation entry(String origin, long seq) {
        List<Operation> ops = view.operations(origin, seq, 1);
        return ops.isEmpty() || ops.get(0).originSeq() != seq ? null : ops.get(0);
    }

    private boolean causallyReady(Operation op) {
        if (!op.kind().changesState() || !causalDelivery) {
            return true;
        }
        VectorClock have = applier.clockOf(op.planet());
        VectorClock wants = op.clock();
        for (int i = 0; i < wants.size(); i++) {
            if (!wants.idAt(i).equals(op.origin()) && have.get(wants.idAt(i)) < wants.countAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The last checks, against the state the entry is applied to; then the entry is applied. An
     * entry that fails them is dropped from the op log (the right one is asked for again).
     */
    private boolean applyChecked(Operation op) {
        long have = applier.clockOf(op.planet()).get(op.origin());
        long expected = op.kind().changesState() ? have + 1 : have;
        if (op.clock().get(op.origin()) != expected) {
            rejectedTotal++;
            lastRejection = "entry " + op.id() + " says " + op.origin() + " had written " + op.clock().get(op.origin())
                    + " time(s) on " + op.planet() + ", but its earlier entries make " + expected + ": dropped";
            view.dropOperation(op.origin(), op.originSeq());
            return false;
        }
        if (!state.knowsIncarnation(op.origin(), op.incarnation())) {
            state.addIncarnationStart(op.origin(), new IncarnationStart(op.incarnation(), op.originSeq()));
        }
        applier.applyHeld(op, !op.origin().equals(self));
        state.setApplied(op.origin(), op.originSeq());
        appliedTotal++;
        return true;
    }

    /**
     * An entry id belongs to one incarnation of its origin: sequence numbers continue across
     * incarnations, so an entry whose number another incarnation owns is a reuse, never a duplicate
     * to drop silently.
     */
    private String incarnationProblem(Operation op) {
        IncarnationStart owner = state.owner(op.origin(), op.originSeq());
        if (owner == null) {
            return state.knowsIncarnation(op.origin(), op.incarnation())
                    ? "entry " + op.id() + " of incarnation " + op.incarnation() + " precedes that incarnation's start"
                    : null;
        }
        if (owner.incarnation() == op.incarnation()) {
            return null;
        }
        if (!state.knowsIncarnation(op.origin(), op.incarnation()) && op.originSeq() > state.applied(op.origin())) {
            return null; // a new incarnation of the origin starts here (recorded when applied)
        }
        return "entry " + op.id() + " comes from incarnation " + op.incarnation() + " but #" + op.originSeq()
                + " belongs to incarnation " + owner.incarnation() + " of " + op.origin() + " (an id reused)";
    }
}
