package fulcrum.core.protocol;

import java.util.Objects;

/**
 * Published by a replica that starts on an empty (or lost) store under a new incarnation. It reaches
 * every peer's merge queue behind everything the replica's previous incarnation published, so a
 * peer that answers it has already taken in all of that.
 */
public record JoinRequest(String replica, long incarnation, String requestId) implements PeerMessage {
    public static final String TYPE = "JoinRequest";

    public JoinRequest {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
