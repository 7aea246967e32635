package fulcrum.core.domain;

/** Thrown when input cannot become a {@link Command}; carries the error code to reply with. */
public final class InvalidCommandException extends RuntimeException {
    private final ErrorCode code;

    public InvalidCommandException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
