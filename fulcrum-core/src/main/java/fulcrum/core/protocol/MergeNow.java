package fulcrum.core.protocol;

import java.util.Objects;

/** Asks every replica to publish what it has not published and to announce its status, now. */
public record MergeNow(String requestId) implements PeerMessage {
    public static final String TYPE = "MergeNow";

    public MergeNow {
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
