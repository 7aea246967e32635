package fulcrum.worker;

import static fulcrum.worker.WorkerCommandsTest.clock;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.Phase;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.TestBroker;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** WorkerMain as a real process: exit codes, SIGTERM, and a crash at each crash point. */
class WorkerProcessTest {
    private static final String MAIN = WorkerMain.class.getName();

    @TempDir
    Path tmp;

    @Test
    void sigtermStopsWithZeroAndARestartKeepsTheData() throws Exception {
        String uri = TestBroker.freshVirtualHost("worker-term");
        Path data = tmp.resolve("data");
        try (PeerWire wire = new PeerWire(uri); TestClient client = new TestClient(uri, "fulcrum-1")) {
            StandInPeers peers = new StandInPeers(wire, "fulcrum-2", "fulcrum-3");
            try (JvmProcess worker = startWorker("first", uri, data, Map.of())) {
                peers.answerJoin("fulcrum-1");
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    ids.add(client.send(Command.addCity("Hoth", "Base_" + i, i)));
                }
                for (String id : ids) {
                    assertThat(client.awaitReply(id).ok()).isTrue();
                }
                terminate(worker);
                assertThat(worker.exitCode()).as(worker.output()).isZero();
                assertThat(worker.output().lines().filter(l -> l.startsWith("READY"))).containsExactly("READY fulcrum-1");
            }
            try (JvmProcess worker = startWorker("second", uri, data, Map.of())) {
                Reply get = client.call(Command.getNumberRebelds("Hoth", "Base_49"));
                assertThat(get.rebels()).isEqualTo(49);
                assertThat(clock(get)).isEqualTo("[50,0,0]");
                terminate(worker);
                assertThat(worker.exitCode()).as(worker.output()).isZero();
            }
        }
    }

    @Test
    void badOptionsExitWithTwoAndAOneLineError() {
        for (List<String> args : List.of(
                List.of("--replicas", "3"),
                List.of("--id", "fulcrum-4", "--replicas", "3"),
                List.of("--id", "fulcrum-1", "--prefetch", "0"),
                List.of("--id", "fulcrum-1", "--batch-max", "many"),
                List.of("--id", "fulcrum-1", "--no-such-option"),
                List.of("--id", "fulcrum-1", "--uri", "bogus://nowhere"),
                List.of("--id", "fulcrum-1", "--replication", "nonsense"),
                List.of("--id", "fulcrum-1", "--merge-interval", "50ms"),
                List.of("--id", "fulcrum-1", "--status-interval", "soon"),
                List.of("--id", "fulcrum-1", "--connect-timeout", "-1"),
                List.of("--id", "fulcrum-1", "--metrics-port", "70000"),
                List.of("--id", "fulcrum-1", "--metrics-port", "http"))) {
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("--data-dir", tmp.resolve("unused").toString()));
            JvmProcess.Result result = JvmProcess.run(tmp.resolve("logs"), Map.of(), MAIN, all, 60);
            assertThat(result.exitCode()).as(args + ": " + result.output()).isEqualTo(WorkerMain.EXIT_USAGE);
            assertThat(result.output().strip().lines()).as(args.toString()).singleElement().asString()
                    .startsWith("fulcrum-worker: ");
        }
        assertThat(JvmProcess.run(tmp.resolve("logs"), Map.of(), MAIN, List.of("--id", "fulcrum-1", "--replication", "nonsense",
                "--data-dir", tmp.resolve("unused").toString()), 60).output()).contains("expected eager or interval, got 'nonsense'");
    }

    @Test
    void aTakenMetricsPortExitsWithThreeAndOneLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            JvmProcess.Result result = JvmProcess.run(tmp.resolve("logs"), Map.of(), MAIN, List.of("--id", "fulcrum-1",
                    "--data-dir", tmp.resolve("metrics-port").toString(), "--metrics-port", Integer.toString(taken.getLocalPort())), 60);
            assertThat(result.exitCode()).as(result.output()).isEqualTo(WorkerMain.EXIT_UNAVAILABLE);
            assertThat(result.output().strip().lines()).singleElement().asString()
                    .startsWith("fulcrum-worker: cannot serve metrics on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void anUnreachableBrokerExitsWithThreeAndNoStackTrace() throws Exception {
        JvmProcess.Result result = JvmProcess.run(tmp.resolve("logs"), Map.of(), MAIN, List.of("--id", "fulcrum-1",
                "--data-dir", tmp.resolve("data").toString(), "--uri", "amqp://guest:guest@127.0.0.1:" + closedPort() + "/%2f",
                "--connect-timeout", "1"), 60);
        assertThat(result.exitCode()).as(result.output()).isEqualTo(WorkerMain.EXIT_UNAVAILABLE);
        assertThat(result.output()).contains("cannot reach RabbitMQ").doesNotContain("\tat ").doesNotContain("READY");
    }

    @Test
    void aLockedDataDirectoryIsRefusedWithFour() throws Exception {
        Path data = tmp.resolve("data");
        try (RocksStore ignored = RocksStore.open(data, "fulcrum-1")) {
            assertStoreRefused("fulcrum-1", data, "refusing to start");
        }
    }

    @Test
    void anotherReplicasStoreIsRefusedWithFourAndLeftAsItWas() throws Exception {
        Path data = tmp.resolve("data");
        RocksStore.open(data, "fulcrum-2").close();
        assertStoreRefused("fulcrum-1", data, "fulcrum-2");
        try (ReadOnlyRocksStore store = RocksStore.openReadOnly(data)) {
            assertThat(store.replicaId()).isEqualTo("fulcrum-2");
        }
    }

    @Test
    void aDirectoryWithDataButNoFormatIsRefusedWithFour() throws Exception {
        Path data = tmp.resolve("data");
        RocksDB.loadLibrary();
        try (Options options = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(options, data.toString())) {
            db.put("something else".getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8));
        }
        assertStoreRefused("fulcrum-1", data, "meta/format");
    }

    /**
     * A crash right after the synced commit of a write (nothing published, answered or acked), or
     * right after its entry was published and confirmed (nothing answered or acked): the command
     * comes back from the broker, the restarted worker answers it once from its record, applies
     * nothing twice, and each peer holds the entry once. Two real peers run in this JVM.
     */
    @ParameterizedTest
    @ValueSource(strings = {CrashPoints.AFTER_COMMIT_BEFORE_ACK, CrashPoints.AFTER_PUBLISH_BEFORE_REPLY})
    void aWriteInterruptedAtACrashPointIsAnsweredOnceAfterTheRestartAndEveryPeerHoldsItOnce(String point) throws Exception {
        String uri = TestBroker.freshVirtualHost("worker-crash");
        Path data = tmp.resolve("fulcrum-1");
        try (PeerWire wire = new PeerWire(uri); TestClient client = new TestClient(uri, "fulcrum-1");
             InProcessWorker f2 = InProcessWorker.start(uri, tmp.resolve("fulcrum-2"), "fulcrum-2");
             InProcessWorker f3 = InProcessWorker.start(uri, tmp.resolve("fulcrum-3"), "fulcrum-3")) {
            try (JvmProcess first = startWorker("first", uri, data, Map.of())) {
                wire.awaitStatus("fulcrum-1", s -> s.phase() == Phase.SERVING);
                terminate(first);
                assertThat(first.exitCode()).as(first.output()).isZero();
            }
            f2.awaitServing();
            f3.awaitServing();

            try (JvmProcess crashing = startWorker("crashing", uri, data, Map.of(CrashPoints.VARIABLE, point))) {
                client.send("cmd-crash", Command.addCity("Tatooine", "Mos_Espa", 5));
                assertThat(crashing.awaitExit(120)).as(crashing.output()).isTrue();
                assertThat(crashing.exitCode()).as(crashing.output()).isEqualTo(CrashPoints.EXIT_CODE);
                assertThat(crashing.output()).contains("crash point " + point + " reached");
            }
            assertThat(client.replyIfAny("cmd-crash")).as("no answer before the crash").isEmpty();
            try (ReadOnlyRocksStore store = RocksStore.openReadOnly(data)) {
                assertThat(store.commandRecords("cmd-crash")).as("the crash came after the write's commit").hasSize(1);
            }
            if (point.equals(CrashPoints.AFTER_COMMIT_BEFORE_ACK)) {
                assertThat(f2.store.commandRecords("cmd-crash")).as("nothing published before the crash").isEmpty();
            }

            try (JvmProcess restarted = startWorker("restarted", uri, data, Map.of())) {
                Reply reply = client.awaitReply("cmd-crash");
                assertThat(reply.ok()).as(restarted.output()).isTrue();
                assertThat(clock(reply)).isEqualTo("[1,0,0]");
                // a later command on the same queue answered: the crashed one is settled
                Reply get = client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
                assertThat(get.rebels()).isEqualTo(5);
                assertThat(clock(get)).isEqualTo("[1,0,0]");
                assertThat(client.replyCount("cmd-crash")).as("answered once").isEqualTo(1);
                for (InProcessWorker peer : List.of(f2, f3)) {
                    Awaitility.await(peer.id + " holds the entry").atMost(TestClient.WAIT)
                            .until(() -> peer.store.meta().applied("fulcrum-1") == 1);
                }
                assertThat(clock(client.call(Command.addCity("Tatooine", "Anchorhead", 1)))).as("numbering goes on").isEqualTo("[2,0,0]");
                terminate(restarted);
                assertThat(restarted.exitCode()).as(restarted.output()).isZero();
            }
            CommandRecord record = new CommandRecord("cmd-crash", "fulcrum-1", 1, "Tatooine", OpKind.AddCity,
                    fulcrum.core.clock.VectorClock.of(Map.of("fulcrum-1", 1L, "fulcrum-2", 0L, "fulcrum-3", 0L)));
            try (ReadOnlyRocksStore store = RocksStore.openReadOnly(data)) {
                assertThat(store.commandRecords("cmd-crash")).containsExactly(record);
                assertThat(store.meta().applied("fulcrum-1")).isEqualTo(2);
            }
            for (InProcessWorker peer : List.of(f2, f3)) {
                Awaitility.await(peer.id + " applied #2").atMost(TestClient.WAIT).until(() -> peer.store.meta().applied("fulcrum-1") == 2);
                assertThat(peer.store.commandRecords("cmd-crash")).as(peer.id).containsExactly(record);
            }
        }
    }

    private void assertStoreRefused(String id, Path data, String reasonMentions) throws Exception {
        JvmProcess.Result result = JvmProcess.run(tmp.resolve("logs"), Map.of(), MAIN, List.of("--id", id, "--data-dir",
                data.toString(), "--uri", "amqp://guest:guest@127.0.0.1:" + closedPort() + "/%2f"), 60);
        assertThat(result.exitCode()).as(result.output()).isEqualTo(WorkerMain.EXIT_STORE);
        assertThat(result.output()).contains("refusing to start", reasonMentions).doesNotContain("\tat ").doesNotContain("READY");
    }

    private JvmProcess startWorker(String name, String uri, Path data, Map<String, String> env) {
        JvmProcess process = JvmProcess.start(name, tmp.resolve("logs"), env, MAIN, List.of("--id", "fulcrum-1", "--replicas", "3",
                "--data-dir", data.toString(), "--uri", uri, "--batch-max", "16", "--merge-interval", "1h",
                "--status-interval", "200ms"));
        Awaitility.await(name + " READY").atMost(TestClient.WAIT)
                .failFast(() -> !process.isAlive() && !process.output().contains("READY fulcrum-1"))
                .until(() -> process.output().lines().anyMatch("READY fulcrum-1"::equals));
        return process;
    }

    /** SIGTERM, then wait for the process to exit by itself. */
    private static void terminate(JvmProcess process) {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        assertThat(process.awaitExit(120)).as(process.output()).isTrue();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
