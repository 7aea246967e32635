package fulcrum.core.replica;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;

/**
 * The answer to one command or query. Success carries the replica and the planet's clock (and, for
 * GetNumberRebelds, the count); failure carries an error code and a one-line message, and, when a
 * replica produced it, the replica and clock too.
 */
public record Reply(boolean ok, CommandKind command, String planet, String city, String replica,
                    VectorClock clock, Long rebels, ErrorCode errorCode, String errorMessage) {

    public static Reply success(CommandKind command, String planet, String city, String replica,
                                VectorClock clock, Long rebels) {
        return new Reply(true, command, planet, city, replica, clock, rebels, null, null);
    }

    public static Reply failure(CommandKind command, String planet, String city, String replica,
                                VectorClock clock, ErrorCode code, String message) {
        return new Reply(false, command, planet, city, replica, clock, null, code, message);
    }
}
