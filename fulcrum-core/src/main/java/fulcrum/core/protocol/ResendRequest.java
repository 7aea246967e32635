package fulcrum.core.protocol;

import java.util.Objects;

/**
 * Asks {@code target} to send {@code requester} the entries of {@code origin} from {@code fromSeq} on.
 * The target is the origin itself, unless the origin is silent or is the requester (a replica that
 * rejoins fetches its own older entries from its peers): any replica answers from its op log.
 */
public record ResendRequest(String origin, long fromSeq, String requester, String target) implements PeerMessage {
    public static final String TYPE = "ResendRequest";

    public ResendRequest {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(target, "target");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
