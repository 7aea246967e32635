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
 * @param clock the entry's clock (the planet clock right after the write, or at the refusal)
 */
public record CommandRecord(String commandId, String origin, long originSeq, OpKind kind, VectorClock clock) {
    public CommandRecord {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clock, "clock");
        if (originSeq < 1) {
            throw new IllegalArgumentException("originSeq starts at 1, got " + originSeq);
        }
    }
}
