package fulcrum.core.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.OpKind;
import java.util.Objects;

/**
 * That a command id was applied (or, for {@link OpKind#Refusal}, refused for good) at an origin.
 * Every replica writes one for every op-log entry it applies, its own and its peers', and never
 * compacts them: they answer a re-sent command after its entry was compacted, they travel in a
 * rejoin snapshot so that a replica that lost its disk still knows what it did, and they let a
 * checker see every application of a command id.
 *
 * <p>Keyed by command id, origin and sequence number, so that a command applied twice, even at
 * one origin, leaves two records that a checker sees.
 *
 * @param clock the entry's clock (the planet clock right after the write, or at the refusal)
 */
public record CommandRecord(String commandId, String origin, long originSeq, String planet, OpKind kind,
                            VectorClock clock) {
    public CommandRecord {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(planet, "planet");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clock, "clock");
        if (originSeq < 1) {
            throw new IllegalArgumentException("originSeq starts at 1, got " + originSeq);
        }
    }

    /** The record of an op-log entry. */
    public static CommandRecord of(fulcrum.core.replica.Operation op) {
        return new CommandRecord(op.commandId(), op.origin(), op.originSeq(), op.planet(), op.kind(), op.clock());
    }
}
