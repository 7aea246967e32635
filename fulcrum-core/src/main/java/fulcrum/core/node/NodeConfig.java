package fulcrum.core.node;

import java.util.List;
import java.util.Objects;

/**
 * How a replica node behaves. Times are in milliseconds of the caller's clock ({@code tick(now)}).
 *
 * @param self                the replica id
 * @param replicaIds          every replica of the cluster, self included
 * @param replication         when own entries are published, see {@link Replication}
 * @param mergeIntervalMillis how often anti-entropy runs: publish what is unpublished (the only
 *                            publishing in {@link Replication#INTERVAL} mode), ask for gaps
 * @param statusIntervalMillis the longest time between two status announcements
 * @param statusMinGapMillis  the shortest time between two announcements (changes are coalesced)
 * @param pendingCapacity     bound of the buffer of peers' entries waiting for a predecessor
 * @param snapshotPageItems   items per snapshot page a source sends
 * @param joinTimeoutMillis   a join that makes no progress this long starts again
 * @param snapshotLeaseMillis a source forgets a join's snapshot idle this long
 * @param maxSnapshotSessions how many joins a source serves at once
 * @param incarnation         the incarnation a new store takes (random, positive; the caller draws it)
 * @param nonce               distinguishes this process's join requests from earlier ones
 * @param peerAuthentication  who may send merge and status traffic, see {@link PeerAuthentication}
 * @param maxKeptAnswers      how many of the store's answers for cities and name entries the node
 *                            keeps in memory across commits (about {@link #BYTES_PER_KEPT_ANSWER}
 *                            each), see {@link #keptAnswersForHeap}
 */
public record NodeConfig(String self, List<String> replicaIds, Replication replication, long mergeIntervalMillis,
                         long statusIntervalMillis, long statusMinGapMillis, int pendingCapacity, int snapshotPageItems,
                         long joinTimeoutMillis, long snapshotLeaseMillis, int maxSnapshotSessions, long incarnation,
                         long nonce, PeerAuthentication peerAuthentication, int maxKeptAnswers) {
    /** The most answers kept: every city and name entry of a planet of 125,000 cities. */
    public static final int MAX_KEPT_ANSWERS = 250_000;
    /** Measured: 250,000 answers (a city and its name entry each) took 61 MiB of live heap. */
    public static final int BYTES_PER_KEPT_ANSWER = 256;

    /** When a replica publishes its own entries, and so what an acknowledgement means. */
    public enum Replication {
        /**
         * With every batch, before the batch's replies and acks: an acknowledged write is on this
         * replica's disk and in every peer's durable merge queue, so it survives the loss of this
         * replica's disk. Peers apply it as soon as they take it.
         */
        EAGER,
        /**
         * Every merge interval (the seed's behaviour): an acknowledged write is on this replica's
         * disk; replicas differ until the next merge, and losing the disk loses what was not yet
         * published.
         */
        INTERVAL
    }

    /** Without peer authentication (the simulations' nodes). */
    public NodeConfig(String self, List<String> replicaIds, Replication replication, long mergeIntervalMillis,
                      long statusIntervalMillis, long statusMinGapMillis, int pendingCapacity, int snapshotPageItems,
                      long joinTimeoutMillis, long snapshotLeaseMillis, int maxSnapshotSessions, long incarnation,
                      long nonce) {
        this(self, replicaIds, replication, mergeIntervalMillis, statusIntervalMillis, statusMinGapMillis,
                pendingCapacity, snapshotPageItems, joinTimeoutMillis, snapshotLeaseMillis, maxSnapshotSessions,
                incarnation, nonce, PeerAuthentication.OFF, MAX_KEPT_ANSWERS);
    }

    public NodeConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(peerAuthentication, "peerAuthentication");
        replicaIds = List.copyOf(replicaIds);
        Objects.requireNonNull(replication, "replication");
        if (!replicaIds.contains(self)) {
            throw new IllegalArgumentException(self + " is not one of the replicas " + replicaIds);
        }
        if (replicaIds.stream().distinct().count() != replicaIds.size()) {
            throw new IllegalArgumentException("replica ids repeat: " + replicaIds);
        }
        if (mergeIntervalMillis < 1 || statusIntervalMillis < 1 || statusMinGapMillis < 0 || pendingCapacity < 1
                || snapshotPageItems < 1 || joinTimeoutMillis < 1 || snapshotLeaseMillis < 1 || maxSnapshotSessions < 1) {
            throw new IllegalArgumentException("node settings must be positive: " + this);
        }
        if (maxKeptAnswers < 1) {
            throw new IllegalArgumentException("at least one answer is kept, got " + maxKeptAnswers);
        }
        if (incarnation < 1) {
            throw new IllegalArgumentException("incarnation must be positive, got " + incarnation);
        }
    }

    /** Defaults for {@code self} among {@code replicaIds}; the caller draws incarnation and nonce. */
    public static NodeConfig defaults(String self, List<String> replicaIds, long incarnation, long nonce) {
        return new NodeConfig(self, replicaIds, Replication.EAGER, 120_000, 2_000, 200, 4096, 8192, 30_000,
                300_000, 2, incarnation, nonce, PeerAuthentication.OFF, MAX_KEPT_ANSWERS);
    }

    public NodeConfig withReplication(Replication mode) {
        return new NodeConfig(self, replicaIds, mode, mergeIntervalMillis, statusIntervalMillis, statusMinGapMillis,
                pendingCapacity, snapshotPageItems, joinTimeoutMillis, snapshotLeaseMillis, maxSnapshotSessions,
                incarnation, nonce, peerAuthentication, maxKeptAnswers);
    }

    public NodeConfig withIntervals(long mergeMillis, long statusMillis) {
        return new NodeConfig(self, replicaIds, replication, mergeMillis, statusMillis,
                Math.min(statusMinGapMillis, statusMillis), pendingCapacity, snapshotPageItems, joinTimeoutMillis,
                snapshotLeaseMillis, maxSnapshotSessions, incarnation, nonce, peerAuthentication, maxKeptAnswers);
    }

    public NodeConfig withPendingCapacity(int capacity) {
        return new NodeConfig(self, replicaIds, replication, mergeIntervalMillis, statusIntervalMillis,
                statusMinGapMillis, capacity, snapshotPageItems, joinTimeoutMillis, snapshotLeaseMillis,
                maxSnapshotSessions, incarnation, nonce, peerAuthentication, maxKeptAnswers);
    }

    public NodeConfig withSnapshotPageItems(int items) {
        return new NodeConfig(self, replicaIds, replication, mergeIntervalMillis, statusIntervalMillis,
                statusMinGapMillis, pendingCapacity, items, joinTimeoutMillis, snapshotLeaseMillis,
                maxSnapshotSessions, incarnation, nonce, peerAuthentication, maxKeptAnswers);
    }

    public NodeConfig withPeerAuthentication(PeerAuthentication authentication) {
        return new NodeConfig(self, replicaIds, replication, mergeIntervalMillis, statusIntervalMillis,
                statusMinGapMillis, pendingCapacity, snapshotPageItems, joinTimeoutMillis, snapshotLeaseMillis,
                maxSnapshotSessions, incarnation, nonce, authentication, maxKeptAnswers);
    }

    public NodeConfig withMaxKeptAnswers(int answers) {
        return new NodeConfig(self, replicaIds, replication, mergeIntervalMillis, statusIntervalMillis,
                statusMinGapMillis, pendingCapacity, snapshotPageItems, joinTimeoutMillis, snapshotLeaseMillis,
                maxSnapshotSessions, incarnation, nonce, peerAuthentication, answers);
    }

    /**
     * As many answers as a quarter of a heap of {@code maxHeapBytes} holds, at most
     * {@link #MAX_KEPT_ANSWERS}: all of them from a heap of 256 MiB on, about 98,000 in 96 MiB, so a
     * small heap keeps room for a merge's batches and a join's snapshot pages.
     */
    public static int keptAnswersForHeap(long maxHeapBytes) {
        long fit = maxHeapBytes / 4 / BYTES_PER_KEPT_ANSWER;
        return (int) Math.max(1, Math.min(MAX_KEPT_ANSWERS, fit));
    }

    /** Every replica but self. */
    public List<String> peers() {
        return replicaIds.stream().filter(r -> !r.equals(self)).toList();
    }
}
