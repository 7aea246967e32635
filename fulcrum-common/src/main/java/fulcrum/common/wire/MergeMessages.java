package fulcrum.common.wire;

import fulcrum.core.replica.Operation;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Messages between replicas. On {@code fulcrum.merge} (persistent, confirmed), told apart by the
 * AMQP {@code type}: {@value #DELTA}, {@value #RESEND}, {@value #MERGE_NOW}. On {@code fulcrum.status}
 * (transient): {@value #STATUS}. Bodies are JSON; operations as in {@link Operation}.
 */
public final class MergeMessages {
    public static final String DELTA = "MergeDelta";
    public static final String RESEND = "ResendRequest";
    public static final String MERGE_NOW = "MergeNow";
    public static final String STATUS = "ReplicaStatus";

    /** Most operations one delta message carries; a longer run is split over several messages. */
    public static final int MAX_OPS_PER_DELTA = 500;

    private MergeMessages() {
    }

    /** A run of one origin's operations, in originSeq order without gaps. */
    public record Delta(String origin, List<Operation> operations) {
        public Delta {
            Objects.requireNonNull(origin, "origin");
            operations = List.copyOf(operations);
            if (operations.size() > MAX_OPS_PER_DELTA) {
                throw new IllegalArgumentException("delta of " + operations.size() + " operations exceeds " + MAX_OPS_PER_DELTA);
            }
            long expected = -1;
            for (Operation op : operations) {
                if (!op.origin().equals(origin)) {
                    throw new IllegalArgumentException("delta of " + origin + " holds an operation of " + op.origin());
                }
                if (expected != -1 && op.originSeq() != expected) {
                    throw new IllegalArgumentException("delta of " + origin + " skips from #" + (expected - 1) + " to #" + op.originSeq());
                }
                expected = op.originSeq() + 1;
            }
        }
    }

    /** Asks {@code origin} to publish its operations again from {@code fromSeq}. */
    public record Resend(String origin, long fromSeq, String requester) {
        public Resend {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(requester, "requester");
            if (fromSeq < 1) {
                throw new IllegalArgumentException("fromSeq starts at 1, got " + fromSeq);
            }
        }
    }

    /** Asks every replica to publish what it has not yet published, now. */
    public record MergeNow(String requestId) {
        public MergeNow {
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * A replica's announcement: the highest originSeq it has applied per origin, the highest own
     * seq it has published, and how many merge conflicts it has resolved.
     */
    public record Status(String replica, Map<String, Long> applied, long published, Map<String, Long> conflicts) {
        public Status {
            Objects.requireNonNull(replica, "replica");
            applied = Map.copyOf(applied);
            conflicts = conflicts == null ? Map.of() : Map.copyOf(conflicts);
        }
    }

    public static <T> T decode(byte[] body, Class<T> type) {
        return FulcrumJson.read(body, type);
    }
}
