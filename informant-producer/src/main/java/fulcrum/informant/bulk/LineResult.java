package fulcrum.informant.bulk;

import fulcrum.common.client.SessionFile;
import fulcrum.core.replica.Reply;
import java.util.Objects;

/**
 * How one command of a bulk input ended.
 *
 * @param reply    the reply as the client accepted it (a reply older than the session is turned
 *                 into a {@code STALE} refusal, as in the single-command path); null when unknown
 * @param problem  why the outcome is unknown; null otherwise
 * @param envelope the session requirements the command was sent with
 */
public record LineResult(BulkLine line, String commandId, Outcome outcome, Reply reply, String problem,
                         SessionFile.PendingSend envelope) {
    /** ok: applied (or already applied under this id); rejected: answered with an error; unknown: no answer. */
    public enum Outcome { OK, REJECTED, UNKNOWN }

    public LineResult {
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(outcome, "outcome");
        if ((outcome == Outcome.UNKNOWN) != (reply == null)) {
            throw new IllegalArgumentException("a reply exactly when the outcome is known");
        }
    }
}
