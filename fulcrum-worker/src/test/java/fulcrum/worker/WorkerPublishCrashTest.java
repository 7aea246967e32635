package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.common.topology.Topology;
import fulcrum.common.wire.MergeMessages;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Operation;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.TestBroker;
import fulcrum.worker.store.RocksReplicaStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker process killed between publishing its deltas and recording it publishes them again; receivers converge. */
class WorkerPublishCrashTest {
    private static final String MAIN = "fulcrum.worker.WorkerMain";

    @TempDir
    Path tmp;

    @Test
    void aCrashBetweenPublishAndRecordRepublishesAndReceiversApplyEachOperationOnce() throws Exception {
        String uri = TestBroker.freshVirtualHost("worker-publish-crash");
        Path data1 = tmp.resolve("f1");
        Path data2 = tmp.resolve("f2");
        try (MergeSpy spy = new MergeSpy(uri); TestClient client = new TestClient(uri, "fulcrum-1")) {
            try (JvmProcess crashing = start("crashing", uri, data1,
                    Map.of(CrashPoints.VARIABLE, CrashPoints.AFTER_PUBLISH_BEFORE_RECORD))) {
                awaitReady(crashing);
                for (int i = 0; i < 5; i++) {
                    assertThat(client.call(Command.addCity("Kashyyyk", "Tree_" + i, i)).ok()).isTrue();
                }
                spy.toAll(MergeMessages.MERGE_NOW, new MergeMessages.MergeNow("crash-round"));
                assertThat(crashing.awaitExit(120)).as(crashing.output()).isTrue();
                assertThat(crashing.exitCode()).as(crashing.output()).isEqualTo(CrashPoints.EXIT_CODE);
            }
            assertThat(seqsPublished(spy)).isEqualTo(List.of(1L, 2L, 3L, 4L, 5L));
            try (RocksReplicaStore store = RocksReplicaStore.open(data1, "fulcrum-1")) {
                assertThat(store.loadState().publishedUpTo()).as("mark not recorded").isZero();
            }

            try (JvmProcess restarted = start("restarted", uri, data1, Map.of())) {
                awaitReady(restarted);
                // publishing at start (and on the next MergeNow) sends #1..#5 again
                Awaitility.await("re-published").atMost(TestClient.WAIT)
                        .until(() -> seqsPublished(spy).size() == 10);
                spy.awaitStatus("fulcrum-1", s -> s.published() == 5);
                // the receiver got both copies in its durable queue; it applies each operation once
                try (InProcessWorker receiver = InProcessWorker.replica(uri, data2, "fulcrum-2")) {
                    spy.awaitStatus("fulcrum-2", s -> s.applied().getOrDefault("fulcrum-1", 0L) == 5);
                    assertThat(receiver.store.listOperations()).extracting(Operation::originSeq)
                            .containsExactly(1L, 2L, 3L, 4L, 5L);
                }
                ProcessHandle.of(restarted.pid()).ifPresent(ProcessHandle::destroy);
                assertThat(restarted.awaitExit(120)).isTrue();
            }
            List<String> ids = Topology.replicaIds(3);
            assertThat(RocksReplicaStore.canonicalDump(data2, ids)).isEqualTo(RocksReplicaStore.canonicalDump(data1, ids));
            assertThat(RocksReplicaStore.readSnapshot(data1).state().publishedUpTo()).isEqualTo(5);
        }
    }

    private static List<Long> seqsPublished(MergeSpy spy) {
        return spy.deltas().stream().flatMap(d -> d.operations().stream()).map(Operation::originSeq).toList();
    }

    private JvmProcess start(String name, String uri, Path data, Map<String, String> env) {
        return JvmProcess.start(name, tmp.resolve("logs"), env, MAIN, List.of("--id", "fulcrum-1", "--replicas", "3",
                "--data-dir", data.toString(), "--uri", uri, "--merge-interval", "1h", "--status-interval", "200ms"));
    }

    private static void awaitReady(JvmProcess process) {
        Awaitility.await(process.name() + " READY").atMost(TestClient.WAIT)
                .failFast(() -> !process.isAlive())
                .until(() -> process.output().lines().anyMatch("READY fulcrum-1"::equals));
    }
}
