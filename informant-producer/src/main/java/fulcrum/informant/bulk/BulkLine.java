package fulcrum.informant.bulk;

import fulcrum.core.domain.Command;
import java.util.Objects;

/** One command of a bulk input, with the 1-based number of the line it came from. */
public record BulkLine(int lineNumber, String text, Command command) {
    public BulkLine {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(command, "command");
    }
}
