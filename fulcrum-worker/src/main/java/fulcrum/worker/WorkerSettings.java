package fulcrum.worker;

import fulcrum.common.topology.Topology;
import fulcrum.core.node.NodeConfig;
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
 * @param mergeInterval  how often the worker publishes its not-yet-published operations on
 *                       {@code fulcrum.merge} (a MergeNow message also triggers it)
 * @param statusInterval how often the worker announces its status on {@code fulcrum.status} even when
 *                       nothing changed
 * @param replication    when own entries are published: with every batch, before its answers
 *                       ({@code EAGER}, the default), or every merge interval ({@code INTERVAL}, the seed's)
 */
public record WorkerSettings(String replicaId, int replicaCount, String uri, int prefetch, int batchMax,
                             Duration connectTimeout, Duration mergeInterval, Duration statusInterval,
                             NodeConfig.Replication replication) {
    public static final int DEFAULT_PREFETCH = 256;
    public static final int DEFAULT_BATCH_MAX = 128;
    /** The seed's merge interval. */
    public static final Duration DEFAULT_MERGE_INTERVAL = Duration.ofMinutes(2);
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(3);
    /** Environment variable read when {@code --merge-interval} is absent. */
    public static final String MERGE_INTERVAL_VARIABLE = "FULCRUM_MERGE_INTERVAL";
    /** Unacknowledged deliveries of the merge queue (each delta carries up to 500 operations). */
    public static final int MERGE_PREFETCH = 32;

    public WorkerSettings(String replicaId, int replicaCount, String uri, int prefetch, int batchMax,
                          Duration connectTimeout) {
        this(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, DEFAULT_MERGE_INTERVAL,
                DEFAULT_STATUS_INTERVAL, NodeConfig.Replication.EAGER);
    }

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
        Objects.requireNonNull(mergeInterval, "mergeInterval");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(statusInterval, "statusInterval");
        if (mergeInterval.toMillis() < 100) {
            throw new IllegalArgumentException("merge interval must be at least 100ms, got " + mergeInterval.toMillis() + "ms");
        }
        if (statusInterval.toMillis() < 100) {
            throw new IllegalArgumentException("status interval must be at least 100ms, got " + statusInterval.toMillis() + "ms");
        }
    }

    public WorkerSettings withMergeInterval(Duration interval) {
        return new WorkerSettings(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, interval, statusInterval,
                replication);
    }

    public WorkerSettings withStatusInterval(Duration interval) {
        return new WorkerSettings(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, mergeInterval, interval,
                replication);
    }

    public WorkerSettings withReplication(NodeConfig.Replication mode) {
        return new WorkerSettings(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, mergeInterval,
                statusInterval, mode);
    }

    /** The node's settings; {@code incarnation} and {@code nonce} are drawn by the caller. */
    public NodeConfig nodeConfig(long incarnation, long nonce) {
        return NodeConfig.defaults(replicaId, replicaIds(), incarnation, nonce).withReplication(replication)
                .withIntervals(mergeInterval.toMillis(), statusInterval.toMillis());
    }

    public String mergeQueue() {
        return Topology.replicaMergeQueue(replicaId);
    }

    public List<String> replicaIds() {
        return Topology.replicaIds(replicaCount);
    }

    public String commandQueue() {
        return Topology.replicaCommandQueue(replicaId);
    }
}
