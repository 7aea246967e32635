package fulcrum.informant.bulk;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a bulk input: one command per line in the informant's own argument syntax, which is also
 * the seed's log format ({@code AddCity planet city rebels}, {@code UpdateName planet city newName},
 * {@code UpdateNumber planet city rebels}, {@code DeleteCity planet city}; {@code AddCity}'s count
 * may be left out, as on the command line). Words are separated by spaces or tabs; blank lines and
 * lines whose first non-blank character is {@code #} are skipped. Every other line is either a
 * command, checked with the same rules as a single command, or a {@link BadLine}. Pure: text in,
 * lines out.
 */
public final class BulkInputParser {
    private static final Pattern WORDS = Pattern.compile("[ \\t]+");

    private final Set<CommandKind> allowed;
    private final String role;

    /** @param role the CLI's name, for the message about a command it does not send */
    public BulkInputParser(Set<CommandKind> allowed, String role) {
        this.allowed = Set.copyOf(allowed);
        this.role = Objects.requireNonNull(role, "role");
    }

    /** The commands and the bad lines of {@code lines}, each in input order. */
    public Parsed parse(List<String> lines) {
        List<BulkLine> commands = new ArrayList<>();
        List<BadLine> bad = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String text = stripLineEnd(lines.get(i), i == 0);
            String trimmed = text.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            List<String> words = Arrays.asList(WORDS.split(trimmed));
            try {
                Command command = Command.fromArguments(words.get(0), words.subList(1, words.size()));
                if (!allowed.contains(command.kind())) {
                    bad.add(new BadLine(lineNumber, text, ErrorCode.INVALID_ARGUMENT,
                            role + " does not send " + command.kind()));
                } else {
                    commands.add(new BulkLine(lineNumber, text, command));
                }
            } catch (InvalidCommandException e) {
                bad.add(new BadLine(lineNumber, text, e.code(), e.getMessage()));
            }
        }
        return new Parsed(List.copyOf(commands), List.copyOf(bad));
    }

    /** A Windows line end and a byte-order mark at the start of the input are not part of a command. */
    private static String stripLineEnd(String line, boolean first) {
        String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        return first && text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** What {@link #parse} found. */
    public record Parsed(List<BulkLine> commands, List<BadLine> badLines) {
    }
}
