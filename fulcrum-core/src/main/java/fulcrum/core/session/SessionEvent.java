package fulcrum.core.session;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.util.Objects;

/**
 * One reply a client session accepted, as recorded for {@link SessionChecker}.
 *
 * @param session the session (client) id
 * @param command what the session asked
 * @param planet  the planet
 * @param clock   the planet clock the reply carried (null for replies without one)
 * @param replica the replica that answered (null when none did)
 * @param ok      whether the command succeeded
 * @param error   the error code of a failed reply, else null
 */
public record SessionEvent(String session, CommandKind command, String planet, VectorClock clock, String replica,
                           boolean ok, ErrorCode error) {

    /** How the checker sees an event. */
    public enum Role {
        /** an accepted write: the reply clock is the planet clock right after the write */
        WRITE,
        /** a successful query, or a refusal decided by the state (no such city / name taken) */
        READ,
        /** says nothing about the state (input error, STALE, UNAVAILABLE): ignored */
        NONE
    }

    public SessionEvent {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(command, "command");
        if (ok == (error != null)) {
            throw new IllegalArgumentException("ok events have no error code, failed ones have one");
        }
    }

    public static SessionEvent write(String session, String planet, VectorClock clock, String replica) {
        return new SessionEvent(session, CommandKind.UpdateNumber, planet, clock, replica, true, null);
    }

    public static SessionEvent read(String session, String planet, VectorClock clock, String replica) {
        return new SessionEvent(session, CommandKind.GetNumberRebelds, planet, clock, replica, true, null);
    }

    public static SessionEvent of(String session, Reply reply) {
        return new SessionEvent(session, reply.command(), reply.planet(), reply.clock(), reply.replica(), reply.ok(),
                reply.ok() ? null : reply.errorCode());
    }

    public Role role() {
        if (planet == null || clock == null) {
            return Role.NONE;
        }
        if (ok) {
            return command.isWrite() ? Role.WRITE : Role.READ;
        }
        return error == ErrorCode.CITY_NOT_FOUND || error == ErrorCode.CITY_ALREADY_EXISTS ? Role.READ : Role.NONE;
    }
}
