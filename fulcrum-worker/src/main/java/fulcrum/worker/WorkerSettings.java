package fulcrum.worker;

import fulcrum.common.topology.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one worker runs.
 *
 * @param replicaId      this replica, one of {@code fulcrum-1..fulcrum-<replicaCount>}
 * @param replicaCount   number of replicas in the cluster (clock width, queues declared)
 * @param uri            AMQP URI of the broker
 * @param prefetch       unacknowledged deliveries the broker may hand this worker (1..65535)
 * @param batchMax       deliveries per synced commit (1..prefetch makes sense; 1..65535 accepted)
 * @param connectTimeout how long the first connection attempt may retry
 */
public record WorkerSettings(String replicaId, int replicaCount, String uri, int prefetch, int batchMax,
                             Duration connectTimeout) {
    public static final int DEFAULT_PREFETCH = 256;
    public static final int DEFAULT_BATCH_MAX = 128;

    public WorkerSettings {
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        List<String> ids = Topology.replicaIds(replicaCount);
        if (!ids.contains(replicaId)) {
            throw new IllegalArgumentException("replica id '" + replicaId + "' is not one of " + String.join(", ", ids));
        }
        if (prefetch < 1 || prefetch > 65_535) {
            throw new IllegalArgumentException("prefetch must be 1..65535, got " + prefetch);
        }
        if (batchMax < 1 || batchMax > 65_535) {
            throw new IllegalArgumentException("batch-max must be 1..65535, got " + batchMax);
        }
        if (connectTimeout.isNegative()) {
            throw new IllegalArgumentException("connect timeout must not be negative");
        }
    }

    public List<String> replicaIds() {
        return Topology.replicaIds(replicaCount);
    }

    public String commandQueue() {
        return Topology.replicaCommandQueue(replicaId);
    }
}
