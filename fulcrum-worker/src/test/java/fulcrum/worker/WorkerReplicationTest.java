package fulcrum.worker;

import static fulcrum.worker.WorkerCommandsTest.IDS;
import static fulcrum.worker.WorkerCommandsTest.clock;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three workers in this JVM on one broker: how entries flow between them in each replication mode. */
class WorkerReplicationTest {
    @TempDir
    Path tmp;

    private final List<InProcessWorker> workers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private String uri;
    private PeerWire wire;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        stopWorkers();
    }

    @Test
    void eagerlyAWriteReachesThePeersWithoutAMergeAndTheSeedsExampleGivesOneOneZeroEverywhere() throws Exception {
        startCluster(InProcessWorker::settings);
        assertThat(clock(client("fulcrum-1").call(Command.addCity("Tatooine", "Mos_Espa", 5)))).isEqualTo("[1,0,0]");
        assertThat(clock(client("fulcrum-2").call(Command.addCity("Tatooine", "Anchorhead", 2)))).isIn("[0,1,0]", "[1,1,0]");
        // no MergeNow: the entries are in every peer's queue before the answers
        wire.awaitConverged(IDS, v -> v.equals(Map.of("fulcrum-1", 1L, "fulcrum-2", 1L)));
        for (String id : IDS) {
            Reply read = client(id).call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
            assertThat(read.rebels()).as(id).isEqualTo(5);
            assertThat(clock(read)).as(id).isEqualTo("[1,1,0]");
        }
        assertIdenticalDumps("Tatooine clock [1,1,0]\n", "Tatooine Anchorhead 2\n", "Tatooine Mos_Espa 5\n");
    }

    /**
     * In interval mode (the seed's) the replicas differ between merges: the seed's {@code [1,0,0]},
     * {@code [0,1,0]}, {@code [0,0,0]} until a MergeNow makes it {@code [1,1,0]} everywhere.
     */
    @Test
    void inIntervalModeTheReplicasDifferUntilAMergeAndThenHoldOneOneZero() throws Exception {
        startCluster((u, id) -> InProcessWorker.intervalSettings(u, id, Duration.ofHours(1)));
        assertThat(clock(client("fulcrum-1").call(Command.addCity("Tatooine", "Mos_Espa", 5)))).isEqualTo("[1,0,0]");
        assertThat(clock(client("fulcrum-2").call(Command.addCity("Tatooine", "Anchorhead", 2)))).isEqualTo("[0,1,0]");
        Reply none = client("fulcrum-3").call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
        assertThat(none.errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
        assertThat(clock(none)).isEqualTo("[0,0,0]");
        assertThat(workers.get(2).store.meta().appliedSeq()).as("nothing published yet").isEmpty();

        wire.mergeNow();
        wire.awaitConverged(IDS, v -> v.equals(Map.of("fulcrum-1", 1L, "fulcrum-2", 1L)));
        for (String id : IDS) {
            assertThat(clock(client(id).call(Command.getNumberRebelds("Tatooine", "Anchorhead")))).as(id).isEqualTo("[1,1,0]");
        }
        assertIdenticalDumps("applied [1,1,0]\n", "Tatooine clock [1,1,0]\n");
    }

    @Test
    void inIntervalModeEntriesReachThePeersAtTheMergeIntervalWithoutBeingAsked() throws Exception {
        startCluster((u, id) -> InProcessWorker.intervalSettings(u, id, Duration.ofMillis(500)));
        assertThat(client("fulcrum-3").call(Command.addCity("Hoth", "Echo_Base", 3)).ok()).isTrue();
        wire.awaitConverged(IDS, v -> v.equals(Map.of("fulcrum-3", 1L)));
        assertThat(clock(client("fulcrum-1").call(Command.getNumberRebelds("Hoth", "Echo_Base")))).isEqualTo("[0,0,1]");
    }

    /**
     * Once every replica announced what it applied, every op log is compacted; a compacted store
     * opens again and its later writes still reach the others.
     */
    @Test
    void threeReplicasConvergeCompactWhatAllAnnouncedAndGoOnAfterARestart() throws Exception {
        startCluster(InProcessWorker::settings);
        assertThat(client("fulcrum-1").call(Command.addCity("Tatooine", "Mos_Espa", 1)).ok()).isTrue();
        assertThat(client("fulcrum-2").call(Command.addCity("Alderaan", "Aldera", 2)).ok()).isTrue();
        assertThat(client("fulcrum-2").call(Command.updateNumber("Alderaan", "Aldera", 3)).ok()).isTrue();
        wire.awaitConverged(IDS, v -> v.equals(Map.of("fulcrum-1", 1L, "fulcrum-2", 2L)));
        Awaitility.await("compaction everywhere").atMost(TestClient.WAIT).until(() -> workers.stream().allMatch(w ->
                w.store.meta().compactedUpTo().equals(Map.of("fulcrum-1", 1L, "fulcrum-2", 2L))));
        for (InProcessWorker w : workers) {
            assertThat(w.store.operations("fulcrum-1", 1, 10)).as(w.id).isEmpty();
            assertThat(w.store.operations("fulcrum-2", 1, 10)).as(w.id).isEmpty();
        }

        stopWorkers();
        workers.add(InProcessWorker.start(uri, tmp.resolve("fulcrum-1"), "fulcrum-1").awaitServing());
        workers.add(InProcessWorker.start(uri, tmp.resolve("fulcrum-2"), "fulcrum-2").awaitServing());
        workers.add(InProcessWorker.start(uri, tmp.resolve("fulcrum-3"), "fulcrum-3").awaitServing());
        assertThat(clock(client("fulcrum-1").call(Command.updateNumber("Alderaan", "Aldera", 9)))).isEqualTo("[1,2,0]");
        wire.awaitConverged(IDS, v -> v.equals(Map.of("fulcrum-1", 2L, "fulcrum-2", 2L)));
        assertIdenticalDumps("Alderaan Aldera 9\n", "Alderaan clock [1,2,0]\n", "Tatooine clock [1,0,0]\n");
    }

    /**
     * With several Readys in flight per replica (--pipeline-depth 4, not the default), hundreds of
     * writes sent at once to all three replicas are each answered once, applied once everywhere, and
     * the replicas converge to identical stores.
     */
    @Test
    void withFourReadysInFlightManyWritesAtOnceAreAnsweredOnceAndConverge() throws Exception {
        startCluster((u, id) -> InProcessWorker.settings(u, id).withPipelineDepth(4));
        int perReplica = 150;
        List<TestClient> senders = new ArrayList<>();
        List<List<String>> ids = new ArrayList<>();
        for (String replica : IDS) {
            TestClient c = client(replica);
            senders.add(c);
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < perReplica; i++) {
                sent.add(c.send(Command.addCity("P-" + replica, "C" + i, i)));
            }
            ids.add(sent);
        }
        for (int r = 0; r < IDS.size(); r++) {
            for (String id : ids.get(r)) {
                assertThat(senders.get(r).awaitReply(id).ok()).as(id).isTrue();
            }
        }
        long each = perReplica;
        wire.awaitConverged(IDS, v -> v.equals(Map.of("fulcrum-1", each, "fulcrum-2", each, "fulcrum-3", each)));
        for (int r = 0; r < IDS.size(); r++) {
            for (String id : ids.get(r)) {
                assertThat(senders.get(r).replyCount(id)).as("replies to " + id).isEqualTo(1);
            }
        }
        stopWorkers();
        StoppedStores.assertIdentical(IDS.stream().map(tmp::resolve).toList(), "P-fulcrum-1 C149 149\n",
                "P-fulcrum-3 clock [0,0,150]\n");
    }

    private void startCluster(BiFunction<String, String, WorkerSettings> settings) throws Exception {
        uri = TestBroker.freshVirtualHost("worker-replication");
        wire = new PeerWire(uri);
        clients.add(wire);
        for (String id : IDS) {
            workers.add(InProcessWorker.start(tmp.resolve(id), settings.apply(uri, id)));
        }
        // a new three-replica cluster: each answers the others' join as empty, and all serve
        workers.forEach(InProcessWorker::awaitServing);
    }

    private TestClient client(String replicaId) throws Exception {
        TestClient c = new TestClient(uri, replicaId);
        clients.add(c);
        return c;
    }

    private void stopWorkers() {
        List<InProcessWorker> running = new ArrayList<>(workers);
        workers.clear();
        running.forEach(InProcessWorker::close);
    }

    /** Stops the workers; the stopped stores' canonical dumps are byte-identical and hold {@code lines}. */
    private void assertIdenticalDumps(String... lines) {
        stopWorkers();
        StoppedStores.assertIdentical(IDS.stream().map(tmp::resolve).toList(), lines);
    }
}
