package fulcrum.core.node;

import java.util.Objects;

/**
 * Which delivery an input came from, echoed back in {@link Ready} so the caller acks (or dead-letters)
 * the right one. {@code epoch} is the caller's: it changes when the channel is replaced, and a
 * delivery tag of an older epoch must never be acked.
 */
public record DeliveryRef(Source source, long epoch, long tag) {
    /** The queue a delivery came from. */
    public enum Source {
        /** {@code fulcrum.<id>.commands}: clients' commands and queries */
        COMMANDS,
        /** {@code fulcrum.<id>.merge}: peers' entries, requests and snapshots */
        MERGE,
        /** {@code fulcrum.status}: announcements, transient and auto-acknowledged (never acked) */
        STATUS
    }

    public DeliveryRef {
        Objects.requireNonNull(source, "source");
    }
}
