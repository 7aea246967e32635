package fulcrum.core.protocol;

import java.util.Objects;

/**
 * Part of the answer to a {@link ResendRequest}: {@code from} no longer holds {@code origin}'s
 * entries up to {@code compactedUpTo} (every replica had announced them applied). A requester that
 * still needs one of them cannot catch up from op logs and rejoins from a snapshot.
 */
public record Compacted(String from, String to, String origin, long compactedUpTo) implements PeerMessage {
    public static final String TYPE = "Compacted";

    public Compacted {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(origin, "origin");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
