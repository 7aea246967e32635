package fulcrum.core.domain;

/**
 * Thrown when input cannot become a {@link Command}; carries the error code to reply with and,
 * once the command's name was read, its kind (so the error reply can say which command it refuses).
 */
public final class InvalidCommandException extends RuntimeException {
    private final ErrorCode code;
    private final CommandKind kind;

    public InvalidCommandException(ErrorCode code, String message) {
        this(code, message, null);
    }

    private InvalidCommandException(ErrorCode code, String message, CommandKind kind) {
        super(message, null, false, false);
        this.code = code;
        this.kind = kind;
    }

    public ErrorCode code() {
        return code;
    }

    /** The refused command's kind; null when the input did not get as far as naming one. */
    public CommandKind kind() {
        return kind;
    }

    /** The same refusal, naming the command it refuses. */
    public InvalidCommandException of(CommandKind refused) {
        return new InvalidCommandException(code, getMessage(), refused);
    }
}
