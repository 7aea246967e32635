package fulcrum.core.session;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * What a replica does with a command before touching its state: answer it from its dedup record,
 * refuse it as {@code STALE}, or execute it. Pure; the worker supplies the stored reply and the
 * planet clock, and persists what the decision says before any answer leaves.
 *
 * <p>The rule that makes a write at-most-once across replicas (see {@link WriteRouting}): a write
 * refused as {@code STALE} is <em>recorded</em> with that answer, in the same synced batch as the
 * batch's effects, exactly like an executed write. A later attempt of the same command id gets the
 * same {@code STALE} even if this replica has caught up meanwhile, because the router may already
 * have offered the command to the next replica, which may have applied it. Queries are never
 * recorded: a query has no effect to duplicate.
 */
public final class Admission {

    /** The outcome. */
    public sealed interface Decision permits AnswerStored, Refuse, Execute {
    }

    /** The command id was handled here before: its stored reply is the answer, whatever the session needs now. */
    public record AnswerStored(Reply reply) implements Decision {
    }

    /**
     * This replica does not dominate the session's clock for the planet.
     *
     * @param record true for a write: store {@code reply} as the command's outcome before answering
     */
    public record Refuse(Reply reply, boolean record) implements Decision {
    }

    /** Execute the command; a write's reply is then stored as its outcome. */
    public record Execute() implements Decision {
    }

    private Admission() {
    }

    /**
     * @param stored    the reply stored for {@code commandId}, or null (always null for queries)
     * @param required  the session's required clock for the planet, or null when the sender has none
     * @param have      this replica's clock of the planet
     * @param notation  how to print the first clock in the refusal's message, given the other one
     */
    public static Decision decide(String self, Command command, Reply stored, VectorClock required, VectorClock have,
                                  BiFunction<VectorClock, VectorClock, String> notation) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(have, "have");
        boolean write = command.kind().isWrite();
        if (write && stored != null) {
            return new AnswerStored(stored);
        }
        if (required != null && !have.dominates(required)) {
            String message = "replica " + self + " has " + notation.apply(have, required) + ", the session needs "
                    + notation.apply(required, have) + (write ? "; this command id is refused here for good" : "");
            return new Refuse(Reply.failure(command.kind(), command.planet(), command.city(), self, have,
                    ErrorCode.STALE, message), write);
        }
        return new Execute();
    }
}
