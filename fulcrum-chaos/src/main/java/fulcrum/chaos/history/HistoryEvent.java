package fulcrum.chaos.history;

import java.util.Map;
import java.util.Objects;

/**
 * One line of a chaos history: a client operation's invocation or its outcome.
 *
 * <p>Every attempt of a command is an {@code INVOKE} followed by exactly one of {@code OK} (the
 * replica answered {@code ok:true}), {@code FAIL} (a definite error answer) or {@code UNKNOWN} (no
 * answer in time, or the connection was lost: the command may or may not have been applied). A
 * retry re-sends the same command id; the command's outcome is OK if any attempt was OK, else
 * UNKNOWN if any attempt was UNKNOWN (a later FAIL, e.g. STALE from another replica, does not prove
 * the first attempt was not applied), else FAIL.
 *
 * @param index     position in the history (0, 1, 2, …)
 * @param timeNanos monotonic time of the event, relative to the start of the run
 * @param session   the client session (informant-3, leia-1, …)
 * @param type      INVOKE, OK, FAIL or UNKNOWN
 * @param commandId the command id (AMQP message id), the same for every attempt
 * @param attempt   1 for the first send, 2 for the first retry, …
 * @param kind      AddCity, UpdateName, UpdateNumber, DeleteCity, GetNumberRebelds
 * @param city      the city the command names (UpdateName: the city's name before the rename)
 * @param newName   UpdateName: the new name, else null
 * @param value     the count a write sets (AddCity, UpdateNumber), else null
 * @param replica   the replica that answered (OK / FAIL), else null
 * @param clock     the planet clock in the answer, else null
 * @param rebels    the count a read returned, else null
 * @param error     FAIL: the error code; UNKNOWN: the reason
 * @param refused   OK: the client's session check refused the answer (older than the session)
 */
public record HistoryEvent(long index, long timeNanos, String session, Type type, String commandId, int attempt,
                           String kind, String planet, String city, String newName, Long value, String replica,
                           Map<String, Long> clock, Long rebels, String error, boolean refused) {

    public enum Type { INVOKE, OK, FAIL, UNKNOWN }

    public HistoryEvent {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(kind, "kind");
        clock = clock == null ? null : Map.copyOf(clock);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isWrite() {
        return !"GetNumberRebelds".equals(kind);
    }

    /** This event at another position and time of a history (what the recorder assigns). */
    public HistoryEvent at(long newIndex, long newTimeNanos) {
        return new HistoryEvent(newIndex, newTimeNanos, session, type, commandId, attempt, kind, planet, city, newName,
                value, replica, clock, rebels, error, refused);
    }
}
