package fulcrum.core.protocol;

import fulcrum.core.store.Phase;
import java.util.Map;
import java.util.Objects;

/**
 * A peer's answer to a {@link JoinRequest}: its phase, what it has applied, how far compaction
 * deleted entries from its op log, and how far it holds the joining replica's own stream ({@code heldOfRequester}: applied or waiting in its buffer), so
 * that the joining replica knows where its previous incarnation ended before it writes anything.
 */
public record JoinOffer(String from, String to, String requestId, Phase phase, Map<String, Long> applied,
                        Map<String, Long> compacted, long heldOfRequester) implements PeerMessage {
    public static final String TYPE = "JoinOffer";

    public JoinOffer {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(phase, "phase");
        applied = Map.copyOf(applied);
        compacted = compacted == null ? Map.of() : Map.copyOf(compacted);
    }

    /**
     * Whether the peer holds replicated state, or compacted entries whose effects only a state holds
     * (then nobody may start over from op logs alone).
     */
    public boolean hasData() {
        return applied.values().stream().anyMatch(v -> v > 0) || compacted.values().stream().anyMatch(v -> v > 0);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
