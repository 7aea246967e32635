package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.TestBroker;
import fulcrum.worker.store.RocksReplicaStore;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WorkerMain as a real process: crash after the synced commit, restart, SIGTERM, exit codes. */
class WorkerProcessTest {
    private static final String MAIN = "fulcrum.worker.WorkerMain";

    @TempDir
    Path tmp;

    @Test
    void aCommandRedeliveredAfterACrashBetweenCommitAndAckIsAnsweredAgainAndAppliedOnce() throws Exception {
        String uri = TestBroker.freshVirtualHost("worker-crash");
        Path data = tmp.resolve("data");
        try (TestClient client = new TestClient(uri, "fulcrum-1")) {
            try (JvmProcess crashing = startWorker("crashing", uri, data,
                    Map.of(CrashPoints.VARIABLE, CrashPoints.AFTER_COMMIT_BEFORE_ACK))) {
                awaitReady(crashing);
                client.send("cmd-crash", Command.addCity("Tatooine", "Mos_Espa", 5));
                assertThat(crashing.awaitExit(120)).as(crashing.output()).isTrue();
                assertThat(crashing.exitCode()).as(crashing.output()).isEqualTo(CrashPoints.EXIT_CODE);
                assertThat(client.replyIfAny("cmd-crash")).as("no reply before the ack").isEmpty();
            }
            try (JvmProcess restarted = startWorker("restarted", uri, data, Map.of())) {
                awaitReady(restarted);
                Reply reply = client.awaitReply("cmd-crash");
                assertThat(reply.ok()).as(restarted.output()).isTrue();
                assertThat(reply.clock().toString()).isEqualTo("[1,0,0]");
                assertThat(restarted.output()).contains("answered from the dedup records");
                Reply get = client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
                assertThat(get.rebels()).isEqualTo(5);
                assertThat(get.clock().toString()).isEqualTo("[1,0,0]");
                terminate(restarted);
                assertThat(restarted.exitCode()).as(restarted.output()).isZero();
                assertThat(restarted.output().lines().filter(l -> l.startsWith("READY"))).containsExactly("READY fulcrum-1");
            }
            try (RocksReplicaStore store = RocksReplicaStore.open(data, "fulcrum-1")) {
                assertThat(store.listOperations()).extracting(Operation::commandId).containsExactly("cmd-crash");
                assertThat(store.loadState().appliedSeq()).containsExactly(Map.entry("fulcrum-1", 1L));
            }
        }
    }

    @Test
    void sigtermFinishesCleanlyAndARestartKeepsTheData() throws Exception {
        String uri = TestBroker.freshVirtualHost("worker-term");
        Path data = tmp.resolve("data");
        try (TestClient client = new TestClient(uri, "fulcrum-1")) {
            try (JvmProcess worker = startWorker("first", uri, data, Map.of())) {
                awaitReady(worker);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    ids.add(client.send(Command.addCity("Hoth", "Base_" + i, i)));
                }
                for (String id : ids) {
                    assertThat(client.awaitReply(id).ok()).isTrue();
                }
                terminate(worker);
                assertThat(worker.exitCode()).as(worker.output()).isZero();
            }
            try (JvmProcess worker = startWorker("second", uri, data, Map.of())) {
                awaitReady(worker);
                Reply get = client.call(Command.getNumberRebelds("Hoth", "Base_49"));
                assertThat(get.rebels()).isEqualTo(49);
                assertThat(get.clock().toString()).isEqualTo("[50,0,0]");
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
                List.of("--id", "fulcrum-1", "--uri", "bogus://nowhere"))) {
            JvmProcess.Result result = JvmProcess.run(tmp.resolve("logs"), Map.of(), MAIN, withDataDir(args), 60);
            assertThat(result.exitCode()).as(args + ": " + result.output()).isEqualTo(2);
            assertThat(result.output().strip().lines()).as(args.toString()).hasSize(1)
                    .first().asString().startsWith("fulcrum-worker: ");
        }
    }

    @Test
    void anUnreachableBrokerExitsWithThreeAndNoStackTrace() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        JvmProcess.Result result = JvmProcess.run(tmp.resolve("logs"), Map.of(), MAIN, withDataDir(List.of(
                "--id", "fulcrum-1", "--uri", "amqp://guest:guest@127.0.0.1:" + port + "/%2f", "--connect-timeout", "1")), 60);
        assertThat(result.exitCode()).as(result.output()).isEqualTo(3);
        assertThat(result.output()).contains("cannot reach RabbitMQ").doesNotContain("\tat ").doesNotContain("READY");
    }

    @Test
    void aLockedDataDirectoryIsRefusedWithFour() throws Exception {
        Path data = tmp.resolve("data");
        try (RocksReplicaStore ignored = RocksReplicaStore.open(data, "fulcrum-1")) {
            JvmProcess.Result result = JvmProcess.run(tmp.resolve("logs"), Map.of(), MAIN,
                    List.of("--id", "fulcrum-1", "--data-dir", data.toString(), "--uri", "amqp://guest:guest@127.0.0.1:1/%2f"), 60);
            assertThat(result.exitCode()).as(result.output()).isEqualTo(4);
            assertThat(result.output()).contains("refusing to start").doesNotContain("\tat ");
        }
    }

    private List<String> withDataDir(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--data-dir", tmp.resolve("unused").toString()));
        return all;
    }

    private JvmProcess startWorker(String name, String uri, Path data, Map<String, String> env) {
        return JvmProcess.start(name, tmp.resolve("logs"), env, MAIN, List.of("--id", "fulcrum-1", "--replicas", "3",
                "--data-dir", data.toString(), "--uri", uri, "--batch-max", "16"));
    }

    private static void awaitReady(JvmProcess process) {
        Awaitility.await(process.name() + " READY").atMost(TestClient.WAIT)
                .failFast(() -> !process.isAlive())
                .until(() -> process.output().lines().anyMatch("READY fulcrum-1"::equals));
    }

    /** SIGTERM, then wait for the process to exit by itself. */
    private static void terminate(JvmProcess process) {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        assertThat(process.awaitExit(120)).as(process.output()).isTrue();
    }
}
