package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import java.util.Objects;

/**
 * One command of a batch (several commands in one delivery, {@link ReplicaNode#onCommandBatch}) as
 * the decoder hands it to the node: decoded and valid, or refused with the reason. Either way it has
 * its id, which its answer carries back.
 */
public sealed interface BatchedCommand {
    /** Commands in one batch at most: bounds a delivery's work and its answer's size. */
    int MAX_PER_BATCH = 64;

    String commandId();

    record Valid(String commandId, Command command, VectorClock required) implements BatchedCommand {
        public Valid {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(command, "command");
        }
    }

    /** @param kind the command the item named, or null when it named none of the five */
    record Invalid(String commandId, CommandKind kind, ErrorCode code, String reason) implements BatchedCommand {
        public Invalid {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
