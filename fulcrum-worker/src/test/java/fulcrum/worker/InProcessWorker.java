package fulcrum.worker;

import fulcrum.worker.store.RocksReplicaStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** A worker and its store in the test JVM; a fatal error is recorded instead of halting. */
final class InProcessWorker implements AutoCloseable {
    final RocksReplicaStore store;
    final Worker worker;
    final AtomicReference<Throwable> fatal = new AtomicReference<>();

    InProcessWorker(String uri, Path dataDir, String replicaId, int prefetch, int batchMax) throws Exception {
        this(dataDir, new WorkerSettings(replicaId, 3, uri, prefetch, batchMax, Duration.ofSeconds(30)));
    }

    InProcessWorker(Path dataDir, WorkerSettings settings) throws Exception {
        store = RocksReplicaStore.open(dataDir, settings.replicaId());
        worker = new Worker(settings, store, fatal::set);
        try {
            worker.start();
        } catch (Exception e) {
            store.close();
            throw e;
        }
    }

    InProcessWorker(String uri, Path dataDir) throws Exception {
        this(uri, dataDir, "fulcrum-1", 256, 128);
    }

    /** A replica with a merge interval long enough that only MergeNow (or the start) publishes, fast status. */
    static InProcessWorker replica(String uri, Path dataDir, String replicaId) throws Exception {
        return new InProcessWorker(dataDir, new WorkerSettings(replicaId, 3, uri, 256, 128, Duration.ofSeconds(30))
                .withMergeInterval(Duration.ofHours(1)).withStatusInterval(Duration.ofMillis(200)));
    }

    @Override
    public void close() {
        worker.stop();
        store.close();
        if (fatal.get() != null) {
            throw new AssertionError("worker hit a fatal error", fatal.get());
        }
    }
}
