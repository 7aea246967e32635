package fulcrum.worker;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.PeerAuthentication;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
 * @param peerAuth       who the worker takes merge and status traffic from
 * @param pipelineDepth  Readys in flight at most (committed, published, awaiting confirms) while the
 *                       loop executes the next deliveries (1..16; see {@link #DEFAULT_PIPELINE_DEPTH})
 */
public record WorkerSettings(String replicaId, int replicaCount, String uri, int prefetch, int batchMax,
                             Duration connectTimeout, Duration mergeInterval, Duration statusInterval,
                             NodeConfig.Replication replication, PeerAuth peerAuth, int pipelineDepth) {
    public static final int DEFAULT_PREFETCH = 256;
    public static final int DEFAULT_BATCH_MAX = 128;
    /** The seed's merge interval. */
    public static final Duration DEFAULT_MERGE_INTERVAL = Duration.ofMinutes(2);
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(3);
    /** Environment variable read when {@code --merge-interval} is absent. */
    public static final String MERGE_INTERVAL_VARIABLE = "FULCRUM_MERGE_INTERVAL";
    /**
     * One Ready in flight: while it is synced, published and confirmed, the loop goes on executing
     * the deliveries that arrive, and they all go into the next Ready. Measured on 2 cores (`bench
     * run`, same session): 4,181 writes/s with 1, 3,309–3,634 with 2, 2,599 with 4, 2,024 with 8, and
     * lower latency at every load with 1. Every Ready costs a sync, a delta per peer and its
     * deliveries whatever its size; deeper pipelines cut the stream into more, smaller Readys.
     */
    public static final int DEFAULT_PIPELINE_DEPTH = 1;
    /**
     * Unacknowledged deliveries of the merge queue (each delta carries up to 500 operations). They all
     * go into one Ready, decoded, until its commit: with 32, a merge kept tens of MiB live between
     * young collections (see {@code OwnStream.MAX_DELTAS_PER_ROUND}, measured together).
     */
    public static final int MERGE_PREFETCH = 8;

    public WorkerSettings(String replicaId, int replicaCount, String uri, int prefetch, int batchMax,
                          Duration connectTimeout) {
        this(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, DEFAULT_MERGE_INTERVAL,
                DEFAULT_STATUS_INTERVAL, NodeConfig.Replication.EAGER);
    }

    public WorkerSettings(String replicaId, int replicaCount, String uri, int prefetch, int batchMax,
                          Duration connectTimeout, Duration mergeInterval, Duration statusInterval,
                          NodeConfig.Replication replication) {
        this(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, mergeInterval, statusInterval, replication,
                PeerAuth.defaults(replicaCount));
    }

    public WorkerSettings(String replicaId, int replicaCount, String uri, int prefetch, int batchMax,
                          Duration connectTimeout, Duration mergeInterval, Duration statusInterval,
                          NodeConfig.Replication replication, PeerAuth peerAuth) {
        this(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, mergeInterval, statusInterval, replication,
                peerAuth, DEFAULT_PIPELINE_DEPTH);
    }

    /**
     * Peer authentication as configured; {@link #authentication()} resolves it for this worker's user.
     *
     * @param mode         on, off, or auto (on when the worker's own broker user is a replica user)
     * @param replicaUsers the replicas' broker users
     * @param adminUsers   the admin tool's broker users (may ask for a merge round)
     */
    public record PeerAuth(Mode mode, Set<String> replicaUsers, Set<String> adminUsers) {
        public enum Mode { AUTO, ON, OFF }

        public PeerAuth {
            Objects.requireNonNull(mode, "mode");
            replicaUsers = Set.copyOf(replicaUsers);
            adminUsers = Set.copyOf(adminUsers);
            if (mode == Mode.ON && replicaUsers.isEmpty()) {
                throw new IllegalArgumentException("--peer-auth on needs at least one replica user");
            }
        }

        static PeerAuth defaults(int replicaCount) {
            return new PeerAuth(Mode.AUTO, Set.copyOf(Topology.replicaIds(replicaCount)), Set.of("fulcrum-admin"));
        }
    }

    public WorkerSettings {
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(peerAuth, "peerAuth");
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
        if (pipelineDepth < 1 || pipelineDepth > 16) {
            throw new IllegalArgumentException("pipeline depth must be 1..16, got " + pipelineDepth);
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
                replication, peerAuth, pipelineDepth);
    }

    public WorkerSettings withStatusInterval(Duration interval) {
        return new WorkerSettings(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, mergeInterval, interval,
                replication, peerAuth, pipelineDepth);
    }

    public WorkerSettings withPipelineDepth(int depth) {
        return new WorkerSettings(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, mergeInterval,
                statusInterval, replication, peerAuth, depth);
    }

    public WorkerSettings withReplication(NodeConfig.Replication mode) {
        return new WorkerSettings(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, mergeInterval,
                statusInterval, mode, peerAuth, pipelineDepth);
    }

    public WorkerSettings withPeerAuthentication(PeerAuth.Mode mode, Set<String> replicaUsers, Set<String> adminUsers) {
        return new WorkerSettings(replicaId, replicaCount, uri, prefetch, batchMax, connectTimeout, mergeInterval,
                statusInterval, replication, new PeerAuth(mode, replicaUsers, adminUsers), pipelineDepth);
    }

    /** The broker user this worker connects as (it is the user_id of everything it publishes). */
    public String brokerUser() {
        return Amqp.userOf(uri);
    }

    /** Whether peer authentication applies: on, or auto and this worker's user is a replica user. */
    public boolean authenticatesPeers() {
        return switch (peerAuth.mode()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> peerAuth.replicaUsers().contains(brokerUser());
        };
    }

    public PeerAuthentication authentication() {
        return authenticatesPeers() ? PeerAuthentication.of(peerAuth.replicaUsers(), peerAuth.adminUsers())
                : PeerAuthentication.OFF;
    }

    /** The node's settings; {@code incarnation} and {@code nonce} are drawn by the caller. */
    public NodeConfig nodeConfig(long incarnation, long nonce) {
        return nodeConfig(incarnation, nonce, Runtime.getRuntime().maxMemory());
    }

    /** The node's settings in a JVM whose max heap is {@code maxHeapBytes}. */
    NodeConfig nodeConfig(long incarnation, long nonce, long maxHeapBytes) {
        return NodeConfig.defaults(replicaId, replicaIds(), incarnation, nonce).withReplication(replication)
                .withIntervals(mergeInterval.toMillis(), statusInterval.toMillis()).withPeerAuthentication(authentication())
                .withMaxKeptAnswers(NodeConfig.keptAnswersForHeap(maxHeapBytes));
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
