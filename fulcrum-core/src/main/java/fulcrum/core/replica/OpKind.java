package fulcrum.core.replica;

import fulcrum.core.domain.CommandKind;
import java.util.Arrays;
import java.util.Optional;

/**
 * What an op-log entry records. The four writes change a city; a {@link #Refusal} changes nothing
 * but records, in the origin's sequence, that the origin answered a write {@code STALE} for good,
 * so that the refusal survives the loss of the origin's disk (see the exactly-once rules).
 * Names are the wire names.
 */
public enum OpKind {
    AddCity(CommandKind.AddCity),
    UpdateName(CommandKind.UpdateName),
    UpdateNumber(CommandKind.UpdateNumber),
    DeleteCity(CommandKind.DeleteCity),
    Refusal(null);

    private final CommandKind write;

    OpKind(CommandKind write) {
        this.write = write;
    }

    /** The write this entry applies, or empty for a {@link #Refusal}. */
    public Optional<CommandKind> write() {
        return Optional.ofNullable(write);
    }

    public boolean changesState() {
        return write != null;
    }

    public static OpKind of(CommandKind kind) {
        for (OpKind k : values()) {
            if (k.write == kind) {
                return k;
            }
        }
        throw new IllegalArgumentException("a query is not an operation: " + kind);
    }

    public static Optional<OpKind> parse(String name) {
        return Arrays.stream(values()).filter(k -> k.name().equals(name)).findFirst();
    }
}
