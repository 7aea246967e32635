package fulcrum.worker;

import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.NodeStats;
import fulcrum.core.store.Phase;
import fulcrum.store.RocksStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/**
 * A worker and its RocksDB store in the test JVM. A fatal error is recorded instead of halting the
 * JVM, and {@link #close()} fails the test with it.
 */
final class InProcessWorker implements AutoCloseable {
    final String id;
    final Path dataDir;
    final RocksStore store;
    final Worker worker;
    final AtomicReference<Throwable> fatal = new AtomicReference<>();

    private InProcessWorker(Path dataDir, WorkerSettings settings) throws Exception {
        this.id = settings.replicaId();
        this.dataDir = dataDir;
        this.store = RocksStore.open(dataDir, settings.replicaId());
        this.worker = new Worker(settings, store, fatal::set);
        try {
            worker.start();
        } catch (Exception e) {
            store.close();
            throw e;
        }
    }

    /**
     * Settings of replica {@code id} of three: eager replication, a merge interval of an hour (so in
     * interval mode only MergeNow publishes) and a status every 200 ms (so tests see changes soon).
     */
    static WorkerSettings settings(String uri, String id) {
        return new WorkerSettings(id, 3, uri, WorkerSettings.DEFAULT_PREFETCH, WorkerSettings.DEFAULT_BATCH_MAX,
                Duration.ofSeconds(30)).withMergeInterval(Duration.ofHours(1)).withStatusInterval(Duration.ofMillis(200));
    }

    static WorkerSettings intervalSettings(String uri, String id, Duration mergeInterval) {
        return settings(uri, id).withReplication(NodeConfig.Replication.INTERVAL).withMergeInterval(mergeInterval);
    }

    static InProcessWorker start(Path dataDir, WorkerSettings settings) throws Exception {
        return new InProcessWorker(dataDir, settings);
    }

    static InProcessWorker start(String uri, Path dataDir, String id) throws Exception {
        return start(dataDir, settings(uri, id));
    }

    NodeStats stats() {
        return worker.stats();
    }

    InProcessWorker awaitServing() {
        Awaitility.await(id + " serving").atMost(TestClient.WAIT)
                .failFast(() -> fatal.get() != null)
                .until(() -> stats().phase() == Phase.SERVING);
        return this;
    }

    @Override
    public void close() {
        worker.stop();
        store.close();
        if (fatal.get() != null) {
            throw new AssertionError(id + " hit a fatal error", fatal.get());
        }
    }
}
