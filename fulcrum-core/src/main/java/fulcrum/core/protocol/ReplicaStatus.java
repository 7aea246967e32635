package fulcrum.core.protocol;

import fulcrum.core.store.Phase;
import java.util.Map;
import java.util.Objects;

/**
 * A replica's announcement on {@code fulcrum.status}: its incarnation and phase, per origin the
 * highest sequence number applied, the highest own number published, its compaction floors, the
 * conflicts it settled, and, while it joins, its progress.
 */
public record ReplicaStatus(String replica, long incarnation, Phase phase, Map<String, Long> applied, long published,
                            Map<String, Long> compacted, Map<String, Long> conflicts, JoinProgress join)
        implements PeerMessage {
    public static final String TYPE = "ReplicaStatus";

    /**
     * @param stage  asking, copying or catching-up
     * @param source the peer whose snapshot is copied, or null
     */
    public record JoinProgress(String stage, String source, long pages, long items, long ownHeld) {
        public JoinProgress {
            Objects.requireNonNull(stage, "stage");
        }
    }

    public ReplicaStatus {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(phase, "phase");
        applied = Map.copyOf(applied);
        compacted = compacted == null ? Map.of() : Map.copyOf(compacted);
        conflicts = conflicts == null ? Map.of() : Map.copyOf(conflicts);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
