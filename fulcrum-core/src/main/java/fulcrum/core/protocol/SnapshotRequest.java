package fulcrum.core.protocol;

import java.util.Objects;

/**
 * Asks {@code to} for the next page of its snapshot for join {@code requestId}, after
 * {@code cursor} (null: the first page, which opens the snapshot). One page is outstanding at a
 * time, so the joining replica sets the pace.
 */
public record SnapshotRequest(String from, String to, String requestId, long pageNo, String cursor) implements PeerMessage {
    public static final String TYPE = "SnapshotRequest";

    public SnapshotRequest {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
