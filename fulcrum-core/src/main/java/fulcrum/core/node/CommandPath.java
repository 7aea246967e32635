package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.core.session.Admission;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import java.util.List;
import java.util.TreeSet;

/**
 * A client's command at this replica: answered from its dedup record, refused as {@code STALE}
 * (a write's refusal becomes an entry of the op log, so it survives even the loss of this disk), or
 * executed (a write becomes an entry, applied like any peer's).
 */
final class CommandPath {
    private final String self;
    private final List<String> replicaIds;
    private final StateView view;
    private final NodeState state;
    private final EntryApplier applier;
    private long executed;
    private long answeredFromRecord;
    private long refused;
    /** The highest own Refusal entry appended since the last Ready took it (0: none). */
    private long refusalThrough;
    private final NodeRules rules;
    private final NodeCounters counters;

    CommandPath(String self, List<String> replicaIds, StateView view, NodeState state, EntryApplier applier,
                NodeRules rules, NodeCounters counters) {
        this.rules = rules;
        this.counters = counters;
        this.self = self;
        this.replicaIds = replicaIds;
        this.view = view;
        this.state = state;
        this.applier = applier;
    }

    /** Decides and records the command; returns its answer. */
    Reply handle(String commandId, Command command, VectorClock required) {
        boolean write = command.kind().isWrite();
        Reply stored = write ? storedOutcome(commandId, command) : null;
        VectorClock have = applier.clockOf(command.planet());
        Admission.Decision decision = Admission.decide(self, command, stored, rules.sessionCheck() ? required : null, have,
                this::notation);
        if (decision instanceof Admission.AnswerStored answer) {
            answeredFromRecord++;
            counters.command(command.kind(), answer.reply(), true);
            return answer.reply();
        }
        if (decision instanceof Admission.Refuse refuse) {
            refused++;
            if (refuse.record() && rules.recordRefusals()) {
                // The router may now offer the command to the next replica: this one must never apply it,
                // even after losing its disk, so the refusal is an entry of its stream.
                if (rules.replicatedRefusals()) {
                    refusalThrough = append(commandId, command.planet(), OpKind.Refusal, null, null, null, have).originSeq();
                }
                view.putReply(commandId, refuse.reply());
            }
            counters.command(command.kind(), refuse.reply(), false);
            return refuse.reply();
        }
        Reply reply = execute(commandId, command, have);
        if (write) {
            view.putReply(commandId, reply);
        }
        executed++;
        counters.command(command.kind(), reply, false);
        return reply;
    }

    /**
     * What this replica already did with the command id: its dedup reply, or (after a rejoin, when the
     * reply went with the old disk) the answer its command record implies.
     */
    private Reply storedOutcome(String commandId, Command command) {
        Reply stored = view.reply(commandId);
        if (stored != null) {
            return stored;
        }
        CommandRecord applied = null;
        for (CommandRecord r : view.commandRecords(commandId)) {
            if (r.origin().equals(self)) {
                return r.kind() == OpKind.Refusal
                        ? Reply.failure(command.kind(), command.planet(), command.city(), self, r.clock(), ErrorCode.STALE,
                        "replica " + self + " refused this command id earlier; it is refused here for good")
                        : Reply.success(command.kind(), command.planet(), command.city(), self, r.clock(), null);
            }
            if (r.kind() != OpKind.Refusal) {
                applied = r;
            }
        }
        return applied == null ? null
                : Reply.success(command.kind(), command.planet(), command.city(), applied.origin(), applied.clock(), null);
    }

    private Reply execute(String commandId, Command command, VectorClock have) {
        CommandKind kind = command.kind();
        City city = applier.visible(command.planet(), command.city());
        if (kind == CommandKind.AddCity) {
            if (city != null) {
                return rejected(command, have, ErrorCode.CITY_ALREADY_EXISTS,
                        "city " + command.city() + " already exists on " + command.planet());
            }
        } else if (city == null) {
            return rejected(command, have, ErrorCode.CITY_NOT_FOUND, "no city " + command.city() + " on " + command.planet());
        }
        if (kind == CommandKind.GetNumberRebelds) {
            return Reply.success(kind, command.planet(), command.city(), self, have, city.rebels().value());
        }
        if (kind == CommandKind.UpdateName && applier.visible(command.planet(), command.newName()) != null) {
            return rejected(command, have, ErrorCode.CITY_ALREADY_EXISTS,
                    "city " + command.newName() + " already exists on " + command.planet());
        }
        long seq = state.ownApplied() + 1;
        String cityId = city != null ? city.id() : Operation.cityIdOf(self, seq);
        String name = kind == CommandKind.AddCity ? command.city() : kind == CommandKind.UpdateName ? command.newName() : null;
        Operation op = append(commandId, command.planet(), OpKind.of(kind), cityId, name, command.rebels(), increment(have));
        return Reply.success(kind, command.planet(), command.city(), self, op.clock(), null);
    }

    /** A new entry of this replica's stream, applied here at once. */
    private Operation append(String commandId, String planet, OpKind kind, String cityId, String name, Long rebels,
                             VectorClock clock) {
        long seq = state.ownApplied() + 1;
        if (seq > MessageRules.MAX_SEQ) {
            throw new IllegalStateException("own sequence exhausted at #" + state.ownApplied());
        }
        if (!state.knowsIncarnation(self, state.incarnation)) {
            // recorded with the incarnation's first entry: an incarnation that wrote nothing leaves no trace
            state.addIncarnationStart(self, new IncarnationStart(state.incarnation, seq));
        }
        Operation op = new Operation(self, state.incarnation, seq, planet, kind, cityId, name, rebels, clock, commandId);
        applier.apply(op, false);
        state.setApplied(self, seq);
        return op;
    }

    private VectorClock increment(VectorClock have) {
        if (have.get(self) >= MessageRules.MAX_SEQ) {
            throw new IllegalStateException("clock entry of " + self + " exhausted: " + have);
        }
        return have.increment(self);
    }

    private Reply rejected(Command command, VectorClock have, ErrorCode code, String message) {
        return Reply.failure(command.kind(), command.planet(), command.city(), self, have, code, message);
    }

    /** The seed's clock notation over the cluster's replica ids plus any other id either clock names. */
    private String notation(VectorClock clock, VectorClock other) {
        TreeSet<String> ids = new TreeSet<>(replicaIds);
        ids.addAll(clock.asMap().keySet());
        ids.addAll(other.asMap().keySet());
        return CanonicalDump.clock(ids, clock);
    }

    /**
     * The highest Refusal entry appended since the last call, or 0: it must be published before its
     * STALE answer leaves, in every replication mode, or a lost disk would take the refusal with it
     * while the next replica of the command's order applies the command.
     */
    long takeRefusalThrough() {
        long through = refusalThrough;
        refusalThrough = 0;
        return through;
    }

    long executed() {
        return executed;
    }

    long answeredFromRecord() {
        return answeredFromRecord;
    }

    long refused() {
        return refused;
    }
}
