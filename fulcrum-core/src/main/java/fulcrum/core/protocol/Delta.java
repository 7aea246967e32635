package fulcrum.core.protocol;

import fulcrum.core.replica.Operation;
import java.util.List;
import java.util.Objects;

/** A run of one origin's op-log entries, consecutive sequence numbers, at most {@link #MAX_OPS}. */
public record Delta(String origin, List<Operation> operations) implements PeerMessage {
    public static final String TYPE = "MergeDelta";
    public static final int MAX_OPS = 500;

    public Delta {
        Objects.requireNonNull(origin, "origin");
        operations = List.copyOf(operations);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
