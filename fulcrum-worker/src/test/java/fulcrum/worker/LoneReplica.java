package fulcrum.worker;

import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Replica fulcrum-1 of three as a worker in this JVM, on a virtual host of its own, with fulcrum-2
 * and fulcrum-3 played by {@link StandInPeers}: they answer its join as empty replicas, so it serves
 * at once, and the test sees everything it sends them and scripts everything they send it.
 */
final class LoneReplica implements AutoCloseable {
    static final String SELF = "fulcrum-1";

    final String uri;
    final Path dataDir;
    final PeerWire wire;
    final StandInPeers peers;
    final TestClient client;
    private final UnaryOperator<WorkerSettings> tuning;
    InProcessWorker worker;

    private LoneReplica(Path dataDir, UnaryOperator<WorkerSettings> tuning) throws Exception {
        this.uri = TestBroker.freshVirtualHost("worker");
        this.dataDir = dataDir;
        this.tuning = tuning;
        this.wire = new PeerWire(uri);
        this.peers = new StandInPeers(wire, "fulcrum-2", "fulcrum-3");
        this.client = new TestClient(uri, SELF);
        this.worker = InProcessWorker.start(dataDir, tuning.apply(InProcessWorker.settings(uri, SELF)));
        peers.answerJoin(SELF);
        worker.awaitServing();
    }

    static LoneReplica start(Path dataDir) throws Exception {
        return new LoneReplica(dataDir, s -> s);
    }

    /** With settings changed from the tests' defaults ({@link InProcessWorker#settings}). */
    static LoneReplica start(Path dataDir, UnaryOperator<WorkerSettings> tuning) throws Exception {
        return new LoneReplica(dataDir, tuning);
    }

    /** Stops the worker (a clean stop) and starts it again on the same store; it serves at once. */
    void restart() throws Exception {
        restart(() -> {
        });
    }

    /** As {@link #restart()}, running {@code whileStopped} on the closed store's directory in between. */
    void restart(StoreWork whileStopped) throws Exception {
        worker.close();
        worker = null;
        whileStopped.run();
        worker = InProcessWorker.start(dataDir, tuning.apply(InProcessWorker.settings(uri, SELF))).awaitServing();
    }

    /** Work on the stopped worker's store. */
    @FunctionalInterface
    interface StoreWork {
        void run() throws Exception;
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
            wire.close();
        } finally {
            if (worker != null) {
                worker.close();
            }
        }
    }
}
