package fulcrum.core.domain;

/** Every error a Fulcrum reply or CLI can report. Names are part of the wire contract. */
public enum ErrorCode {
    /** A name or count breaks the domain rules. */
    INVALID_ARGUMENT,
    /** The message is not a valid command document (not JSON, wrong types, missing fields). */
    BAD_MESSAGE,
    /** The operation name is not one of the registry's commands. */
    UNKNOWN_COMMAND,
    /** The city (or its planet) does not exist. */
    CITY_NOT_FOUND,
    /** A city of that name already exists on the planet. */
    CITY_ALREADY_EXISTS,
    /** The replica's state is older than the clock the session requires. */
    STALE,
    /** No replica could be reached in time. */
    UNAVAILABLE;

    /** Whether the store itself refused the command (CLI exit 1) rather than the input (exit 2). */
    public boolean isRejection() {
        return this == CITY_NOT_FOUND || this == CITY_ALREADY_EXISTS || this == STALE;
    }
}
