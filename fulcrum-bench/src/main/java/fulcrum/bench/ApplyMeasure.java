package fulcrum.bench;

import fulcrum.common.wire.PeerCodec;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.ReplicaNode;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import fulcrum.store.RocksStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a replica's own work costs per peer entry, without the broker and once the JIT compilers
 * are done: the merge phase's fresh workers share two cores with the broker and with their own C2
 * compilers, which in a profile took a third of the CPU in the merge's first minute, so its time
 * alone cannot tell a cheaper apply path from a noisier machine.
 *
 * <p>In this one thread, with the production code: fulcrum-1's store is built offline with
 * {@code entries} AddCity entries, its op log is encoded into deltas exactly as a worker ships them
 * ({@link PeerCodec}, {@link Delta#MAX_OPS} entries each), and each round a fresh fulcrum-2 store
 * takes them all: decoded, held, applied and committed (synced) by a {@link ReplicaNode} over a
 * {@link RocksStore}, a Ready per {@link #DELTAS_PER_COMMIT} deltas, as many as a worker's merge
 * prefetch lets in at once. A round counts only once every entry is applied. Reported per round: wall
 * time and this thread's CPU time per entry (RocksDB's background flushes and the GC are not in the
 * latter); the first rounds warm the code up.
 */
final class ApplyMeasure {
    private static final List<String> REPLICAS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");
    private static final String ORIGIN = "fulcrum-1";
    private static final String TAKER = "fulcrum-2";
    /** Bodies of peer messages are checked against the merge queue's limit, as a worker does. */
    private static final int MAX_BODY_BYTES = PeerCodec.MAX_MERGE_BODY_BYTES;
    /** The worker's merge prefetch ({@code WorkerSettings.MERGE_PREFETCH}; the bench runs workers as jars, not as a dependency). */
    static final int DELTAS_PER_COMMIT = 8;

    /** One round: how long it took, and the taking thread's CPU. */
    record Round(int round, long entries, double wallSeconds, double threadCpuSeconds) {
        double wallMicrosPerEntry() {
            return wallSeconds * 1e6 / entries;
        }

        double cpuMicrosPerEntry() {
            return threadCpuSeconds * 1e6 / entries;
        }
    }

    private ApplyMeasure() {
    }

    static Map<String, Object> run(Path dir, int entries, int rounds) throws Exception {
        if (entries < 1 || rounds < 1) {
            throw new IllegalArgumentException("entries and rounds must be at least 1");
        }
        System.out.printf("building %s's store offline: %,d AddCity entries%n", ORIGIN, entries);
        StoreBuilder.build(dir.resolve(ORIGIN), ORIGIN, REPLICAS, Map.of("Apply-1", entries), 1_000, false);
        List<byte[]> deltas = encodedDeltas(dir.resolve(ORIGIN));

        List<Round> done = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            Round round = takeAll(dir.resolve(TAKER + "-round-" + r), deltas, entries, r);
            System.out.printf("round %d of %d: %,d peer entries applied in %.2f s: %.1f us/entry wall, %.1f us/entry of "
                    + "the applying thread's CPU%n", r, rounds, entries, round.wallSeconds(), round.wallMicrosPerEntry(),
                    round.cpuMicrosPerEntry());
            done.add(round);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("entries", entries);
        out.put("deltas", deltas.size());
        out.put("deltas_per_commit", DELTAS_PER_COMMIT);
        List<Map<String, Object>> table = new ArrayList<>();
        for (Round round : done) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("round", round.round());
            row.put("wall_seconds", round.wallSeconds());
            row.put("wall_us_per_entry", round.wallMicrosPerEntry());
            row.put("thread_cpu_us_per_entry", round.cpuMicrosPerEntry());
            table.add(row);
        }
        out.put("rounds", table);
        Round last = done.get(done.size() - 1);
        out.put("last_round_thread_cpu_us_per_entry", last.cpuMicrosPerEntry());
        out.put("last_round_wall_us_per_entry", last.wallMicrosPerEntry());
        return out;
    }

    /** The origin's op log as the bodies of the deltas a worker would publish. */
    private static List<byte[]> encodedDeltas(Path originStore) {
        List<byte[]> bodies = new ArrayList<>();
        try (RocksStore store = RocksStore.open(originStore, ORIGIN)) {
            long from = 1;
            List<Operation> ops;
            while (!(ops = store.operations(ORIGIN, from, Delta.MAX_OPS)).isEmpty()) {
                bodies.add(PeerCodec.encode(new Delta(ORIGIN, ops)));
                from = ops.get(ops.size() - 1).originSeq() + 1;
            }
        }
        return bodies;
    }

    private static Round takeAll(Path storeDir, List<byte[]> deltas, long entries, int round) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long wall0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        try (RocksStore store = RocksStore.open(storeDir, TAKER)) {
            store.commit(new StoreBatch().putIncarnation(2_000).putPhase(Phase.SERVING));
            // interval mode with no tick: the taker publishes nothing, as in a merge it has nothing of its own
            NodeConfig config = NodeConfig.defaults(TAKER, REPLICAS, 2_000, 1).withReplication(NodeConfig.Replication.INTERVAL);
            ReplicaNode node = new ReplicaNode(config, store, 0);
            long tag = 0;
            int sinceCommit = 0;
            for (byte[] body : deltas) {
                node.onPeerMessage(new DeliveryRef(DeliveryRef.Source.MERGE, 0, ++tag), ORIGIN,
                        PeerCodec.decode("MergeDelta", body, MAX_BODY_BYTES));
                if (++sinceCommit == DELTAS_PER_COMMIT) {
                    StoreBuilder.drain(node, store);
                    sinceCommit = 0;
                }
            }
            StoreBuilder.drain(node, store);
            long applied = node.applied().getOrDefault(ORIGIN, 0L);
            if (applied != entries) {
                throw new IllegalStateException("round " + round + " applied " + applied + " of " + entries + " entries");
            }
        }
        return new Round(round, entries, (System.nanoTime() - wall0) / 1e9, (threads.getCurrentThreadCpuTime() - cpu0) / 1e9);
    }
}
