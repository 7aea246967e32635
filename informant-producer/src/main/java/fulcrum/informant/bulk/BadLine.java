package fulcrum.informant.bulk;

import fulcrum.core.domain.ErrorCode;
import java.util.Objects;

/** A line of a bulk input that is not a command this CLI sends: why, and where. */
public record BadLine(int lineNumber, String text, ErrorCode code, String message) {
    public BadLine {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
