package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.MergeMessages;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.testkit.TestBroker;
import fulcrum.worker.store.RocksReplicaStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The worker's side of the merge protocol, against a real broker and real RocksDB stores. */
class WorkerMergeTest {
    private static final List<String> IDS = Topology.replicaIds(3);

    @TempDir
    Path tmp;

    /** Operations as replica {@code id} would produce them for the given commands. */
    private static List<Operation> opsOf(String id, Command... commands) {
        Replica peer = Replica.fresh(id, IDS);
        List<Operation> ops = new ArrayList<>();
        int i = 0;
        for (Command c : commands) {
            ops.add(peer.execute(id + "-cmd-" + i++, c).operation());
        }
        return ops;
    }

    @Test
    void peerOperationsAreAppliedOnceKeptInTheOpLogAndSurviveARestart() throws Exception {
        String uri = TestBroker.freshVirtualHost("merge-apply");
        List<Operation> ops = opsOf("fulcrum-2", Command.addCity("Tatooine", "Mos_Espa", 5),
                Command.updateNumber("Tatooine", "Mos_Espa", 7));
        Path data = tmp.resolve("f1");
        try (MergeSpy spy = new MergeSpy(uri); TestClient client = new TestClient(uri, "fulcrum-1")) {
            try (InProcessWorker w = InProcessWorker.replica(uri, data, "fulcrum-1")) {
                spy.toReplica("fulcrum-1", MergeMessages.DELTA, new MergeMessages.Delta("fulcrum-2", ops));
                spy.toReplica("fulcrum-1", MergeMessages.DELTA, new MergeMessages.Delta("fulcrum-2", ops)); // duplicate
                spy.toReplica("fulcrum-1", MergeMessages.DELTA, new MergeMessages.Delta("fulcrum-2", ops.subList(1, 2)));
                spy.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-2", 0L) == 2);
                Reply get = client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
                assertThat(get.rebels()).isEqualTo(7);
                assertThat(get.clock().toString()).isEqualTo("[0,2,0]");
                // a local write after the merge follows the peer's writes causally
                Reply local = client.call(Command.updateNumber("Tatooine", "Mos_Espa", 9));
                assertThat(local.clock().toString()).isEqualTo("[1,2,0]");
            }
            assertThat(client.deadLetterCount()).isZero();
        }
        try (RocksReplicaStore store = RocksReplicaStore.open(data, "fulcrum-1")) {
            assertThat(store.listOperations()).extracting(op -> op.origin() + "#" + op.originSeq())
                    .containsExactly("fulcrum-1#1", "fulcrum-2#1", "fulcrum-2#2");
            assertThat(store.loadState().appliedSeq()).isEqualTo(Map.of("fulcrum-1", 1L, "fulcrum-2", 2L));
        }
    }

    @Test
    void aGapIsBufferedRequestedFromItsOriginAndClosedWhenTheMissingOperationsArrive() throws Exception {
        String uri = TestBroker.freshVirtualHost("merge-gap");
        List<Operation> ops = opsOf("fulcrum-3", Command.addCity("Hoth", "Echo_Base", 1),
                Command.updateNumber("Hoth", "Echo_Base", 2), Command.updateNumber("Hoth", "Echo_Base", 3));
        try (MergeSpy spy = new MergeSpy(uri); InProcessWorker w = InProcessWorker.replica(uri, tmp.resolve("f1"), "fulcrum-1")) {
            spy.toReplica("fulcrum-1", MergeMessages.DELTA, new MergeMessages.Delta("fulcrum-3", ops.subList(2, 3)));
            MergeMessages.Resend request = Awaitility.await("a resend request").atMost(TestClient.WAIT)
                    .until(() -> spy.resends().stream().findFirst().orElse(null), r -> r != null);
            assertThat(request).isEqualTo(new MergeMessages.Resend("fulcrum-3", 1, "fulcrum-1"));
            spy.awaitStatus("fulcrum-1", s -> true);
            assertThat(spy.status.get("fulcrum-1").applied().getOrDefault("fulcrum-3", 0L)).isZero();

            spy.toReplica("fulcrum-1", MergeMessages.DELTA, new MergeMessages.Delta("fulcrum-3", ops.subList(0, 2)));
            spy.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-3", 0L) == 3);
        }
        String dump = RocksReplicaStore.canonicalDump(tmp.resolve("f1"), IDS);
        assertThat(dump).contains("Hoth clock [0,0,3]\n").contains("Hoth Echo_Base 3\n");
    }

    @Test
    void ownOperationsComingBackAreIgnored() throws Exception {
        String uri = TestBroker.freshVirtualHost("merge-own");
        List<Operation> foreignCopyOfMine = opsOf("fulcrum-1", Command.addCity("Naboo", "Theed", 4));
        try (MergeSpy spy = new MergeSpy(uri); TestClient client = new TestClient(uri, "fulcrum-1");
             InProcessWorker w = InProcessWorker.replica(uri, tmp.resolve("f1"), "fulcrum-1")) {
            spy.toReplica("fulcrum-1", MergeMessages.DELTA, new MergeMessages.Delta("fulcrum-1", foreignCopyOfMine));
            // the marker: a peer op queued after the own delta; once it is applied the own one was handled
            spy.toReplica("fulcrum-1", MergeMessages.DELTA,
                    new MergeMessages.Delta("fulcrum-2", opsOf("fulcrum-2", Command.addCity("Naboo", "Otoh_Gunga", 1))));
            spy.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-2", 0L) == 1);
            assertThat(spy.status.get("fulcrum-1").applied().getOrDefault("fulcrum-1", 0L)).isZero();
            Reply theed = client.call(Command.getNumberRebelds("Naboo", "Theed"));
            assertThat(theed.errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
            assertThat(client.call(Command.addCity("Naboo", "Theed", 8)).clock().toString()).isEqualTo("[1,1,0]");
            assertThat(client.deadLetterCount()).isZero();
        }
    }

    static Stream<Arguments> malformed() {
        String op = "{\"origin\":\"fulcrum-2\",\"originSeq\":1,\"planet\":\"Hoth\",\"kind\":\"AddCity\",\"cityId\":\"fulcrum-2:1\","
                + "\"name\":\"Echo_Base\",\"rebels\":1,\"clock\":{\"fulcrum-2\":1},\"commandId\":\"c\"}";
        return Stream.of(
                Arguments.of("not JSON", MergeMessages.DELTA, "hello", ErrorCode.BAD_MESSAGE, "MergeDelta"),
                Arguments.of("unknown type", "Gossip", "{}", ErrorCode.UNKNOWN_COMMAND, "Gossip"),
                Arguments.of("no type", null, "{}", ErrorCode.BAD_MESSAGE, "no AMQP type"),
                Arguments.of("origin not a replica", MergeMessages.DELTA,
                        "{\"origin\":\"fulcrum-9\",\"operations\":[]}", ErrorCode.BAD_MESSAGE, "fulcrum-9"),
                Arguments.of("operation of another origin", MergeMessages.DELTA,
                        "{\"origin\":\"fulcrum-3\",\"operations\":[" + op + "]}", ErrorCode.BAD_MESSAGE, "fulcrum-2"),
                Arguments.of("name with white space", MergeMessages.DELTA,
                        "{\"origin\":\"fulcrum-2\",\"operations\":[" + op.replace("Echo_Base", "Echo Base") + "]}",
                        ErrorCode.BAD_MESSAGE, "white space"),
                Arguments.of("resend from 0", MergeMessages.RESEND,
                        "{\"origin\":\"fulcrum-1\",\"fromSeq\":0,\"requester\":\"fulcrum-2\"}", ErrorCode.BAD_MESSAGE, "fromSeq"),
                Arguments.of("merge-now without id", MergeMessages.MERGE_NOW, "{}", ErrorCode.BAD_MESSAGE, "MergeNow"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedMergeMessagesAreDeadLetteredAndDoNotBlockTheQueue(String label, String type, String body, ErrorCode code,
                                                                    String reasonMentions) throws Exception {
        String uri = TestBroker.freshVirtualHost("merge-bad");
        try (MergeSpy spy = new MergeSpy(uri); TestClient client = new TestClient(uri, "fulcrum-1");
             InProcessWorker w = InProcessWorker.replica(uri, tmp.resolve("f1"), "fulcrum-1")) {
            spy.toReplica("fulcrum-1", type, body.getBytes(StandardCharsets.UTF_8));
            GetResponse dead = client.awaitDeadLetter();
            assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo(body);
            Map<String, Object> headers = dead.getProps().getHeaders();
            assertThat(String.valueOf(headers.get(Amqp.HEADER_ERROR_CODE))).isEqualTo(code.name());
            assertThat(String.valueOf(headers.get(Amqp.HEADER_ERROR_REASON))).contains(reasonMentions);
            assertThat(String.valueOf(headers.get(Amqp.HEADER_SOURCE_QUEUE))).isEqualTo("fulcrum.fulcrum-1.merge");

            spy.toReplica("fulcrum-1", MergeMessages.DELTA,
                    new MergeMessages.Delta("fulcrum-2", opsOf("fulcrum-2", Command.addCity("Hoth", "Echo_Base", 1))));
            spy.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-2", 0L) == 1);
        }
    }

    @Test
    void aResendRequestIsAnsweredByTheOriginFromItsOpLog() throws Exception {
        String uri = TestBroker.freshVirtualHost("merge-resend");
        try (MergeSpy spy = new MergeSpy(uri); TestClient client = new TestClient(uri, "fulcrum-1");
             InProcessWorker w = InProcessWorker.replica(uri, tmp.resolve("f1"), "fulcrum-1")) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.call(Command.addCity("Dagobah", "Hut_" + i, i)).ok()).isTrue();
            }
            spy.toAll(MergeMessages.RESEND, new MergeMessages.Resend("fulcrum-2", 1, "fulcrum-3")); // not ours: ignored
            spy.toAll(MergeMessages.RESEND, new MergeMessages.Resend("fulcrum-1", 2, "fulcrum-2"));
            MergeMessages.Delta answer = Awaitility.await("the answer").atMost(TestClient.WAIT)
                    .until(() -> spy.deltas().stream().filter(d -> d.operations().get(0).originSeq() == 2).findFirst().orElse(null),
                            d -> d != null);
            assertThat(answer.origin()).isEqualTo("fulcrum-1");
            assertThat(answer.operations()).extracting(Operation::originSeq).containsExactly(2L, 3L);
            assertThat(spy.deltas()).allMatch(d -> d.origin().equals("fulcrum-1"));
        }
    }

    @Test
    void mergeNowPublishesOnlyWhatWasNotPublishedAndTheMarkSurvivesARestart() throws Exception {
        String uri = TestBroker.freshVirtualHost("merge-publish");
        Path data = tmp.resolve("f1");
        try (MergeSpy spy = new MergeSpy(uri); TestClient client = new TestClient(uri, "fulcrum-1")) {
            try (InProcessWorker w = InProcessWorker.replica(uri, data, "fulcrum-1")) {
                for (int i = 0; i < 3; i++) {
                    client.call(Command.addCity("Endor", "Village_" + i, i));
                }
                spy.toAll(MergeMessages.MERGE_NOW, new MergeMessages.MergeNow("round-1"));
                spy.awaitStatus("fulcrum-1", s -> s.published() == 3);
                awaitPublishedSeqs(spy, 0, List.of(1L, 2L, 3L));
            }
            try (RocksReplicaStore store = RocksReplicaStore.open(data, "fulcrum-1")) {
                assertThat(store.loadState().publishedUpTo()).isEqualTo(3);
            }
            spy.status.clear();
            int before = spy.deltas().size();
            try (InProcessWorker w = InProcessWorker.replica(uri, data, "fulcrum-1")) {
                client.call(Command.addCity("Endor", "Village_3", 3));
                spy.toAll(MergeMessages.MERGE_NOW, new MergeMessages.MergeNow("round-2"));
                spy.awaitStatus("fulcrum-1", s -> s.published() == 4);
                awaitPublishedSeqs(spy, before, List.of(4L));
            }
        }
    }

    /** Waits until the deltas seen from index {@code from} on carry exactly {@code seqs}, in order. */
    private static void awaitPublishedSeqs(MergeSpy spy, int from, List<Long> seqs) {
        Awaitility.await("published " + seqs).atMost(TestClient.WAIT).untilAsserted(() -> {
            List<MergeMessages.Delta> deltas = spy.deltas();
            assertThat(deltas.subList(from, deltas.size()).stream().flatMap(d -> d.operations().stream())
                    .map(Operation::originSeq).toList()).isEqualTo(seqs);
        });
    }

    @Test
    void aSessionClockThisReplicaDoesNotDominateIsAnsweredStaleAndAWriteStaysRefused() throws Exception {
        String uri = TestBroker.freshVirtualHost("merge-stale");
        try (MergeSpy spy = new MergeSpy(uri); TestClient client = new TestClient(uri, "fulcrum-1");
             InProcessWorker w = InProcessWorker.replica(uri, tmp.resolve("f1"), "fulcrum-1")) {
            assertThat(client.call(Command.addCity("Bespin", "Cloud_City", 1)).clock().toString()).isEqualTo("[1,0,0]");
            VectorClock needs = VectorClock.of(Map.of("fulcrum-1", 1L, "fulcrum-2", 1L));

            Reply read = client.awaitReply(client.send("read-1", Command.getNumberRebelds("Bespin", "Cloud_City"), needs));
            assertThat(read.ok()).isFalse();
            assertThat(read.errorCode()).isEqualTo(ErrorCode.STALE);
            assertThat(read.replica()).isEqualTo("fulcrum-1");
            assertThat(read.clock().toString()).isEqualTo("[1,0,0]");
            assertThat(read.errorMessage()).isEqualTo("replica fulcrum-1 has [1,0,0], the session needs [1,1,0]");

            Reply write = client.awaitReply(client.send("write-1", Command.updateNumber("Bespin", "Cloud_City", 50), needs));
            assertThat(write.errorCode()).isEqualTo(ErrorCode.STALE);
            assertThat(write.errorMessage()).endsWith("; this command id is refused here for good");

            // The merge brings fulcrum-2's write on Bespin. The refused id stays refused (read back from
            // the store: the router may have offered it to the next replica); a new id succeeds.
            Replica peer = Replica.fresh("fulcrum-2", IDS);
            Operation peerOp = peer.execute("p1", Command.addCity("Bespin", "Tibanna", 2)).operation();
            spy.toReplica("fulcrum-1", MergeMessages.DELTA, new MergeMessages.Delta("fulcrum-2", List.of(peerOp)));
            spy.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-2", 0L) == 1);
            client.forget("write-1");
            Reply again = client.awaitReply(client.send("write-1", Command.updateNumber("Bespin", "Cloud_City", 50), needs));
            assertThat(again).isEqualTo(write);
            Reply fresh = client.awaitReply(client.send("write-2", Command.updateNumber("Bespin", "Cloud_City", 50), needs));
            assertThat(fresh.ok()).as(String.valueOf(fresh)).isTrue();
            assertThat(fresh.clock().toString()).isEqualTo("[2,1,0]");
            Reply ok = client.awaitReply(client.send("read-2", Command.getNumberRebelds("Bespin", "Cloud_City"), needs));
            assertThat(ok.rebels()).isEqualTo(50);
            // a clock the replica dominates is served as usual; an empty one too
            assertThat(client.awaitReply(client.send("read-3", Command.getNumberRebelds("Bespin", "Cloud_City"),
                    VectorClock.of(Map.of()))).ok()).isTrue();
        }
    }

    @Test
    void threeReplicasConvergeAndCompactWhatEveryoneAnnounced() throws Exception {
        String uri = TestBroker.freshVirtualHost("merge-three");
        try (MergeSpy spy = new MergeSpy(uri); TestClient c1 = new TestClient(uri, "fulcrum-1");
             TestClient c2 = new TestClient(uri, "fulcrum-2")) {
            List<InProcessWorker> workers = new ArrayList<>();
            try {
                for (String id : IDS) {
                    workers.add(InProcessWorker.replica(uri, tmp.resolve(id), id));
                }
                assertThat(c1.call(Command.addCity("Tatooine", "Mos_Espa", 1)).clock().toString()).isEqualTo("[1,0,0]");
                assertThat(c2.call(Command.addCity("Alderaan", "Aldera", 2)).clock().toString()).isEqualTo("[0,1,0]");
                assertThat(c2.call(Command.updateNumber("Alderaan", "Aldera", 3)).ok()).isTrue();
                spy.toAll(MergeMessages.MERGE_NOW, new MergeMessages.MergeNow("round"));
                spy.awaitEqualVectors(IDS, v -> v.equals(Map.of("fulcrum-1", 1L, "fulcrum-2", 2L)));
                // once each has heard the others' equal vectors, the op logs are compacted away
                Awaitility.await("compaction").atMost(TestClient.WAIT)
                        .until(() -> workers.stream().allMatch(w -> w.store.countOperations() == 0));
            } finally {
                for (InProcessWorker w : workers) {
                    w.close();
                }
            }
            String dump1 = RocksReplicaStore.canonicalDump(tmp.resolve("fulcrum-1"), IDS);
            assertThat(RocksReplicaStore.canonicalDump(tmp.resolve("fulcrum-2"), IDS)).isEqualTo(dump1);
            assertThat(RocksReplicaStore.canonicalDump(tmp.resolve("fulcrum-3"), IDS)).isEqualTo(dump1);
            assertThat(dump1).contains("Alderaan clock [0,2,0]\n", "Tatooine clock [1,0,0]\n", "Alderaan Aldera 3\n");
            RocksReplicaStore.Snapshot snapshot = RocksReplicaStore.readSnapshot(tmp.resolve("fulcrum-3"));
            assertThat(snapshot.replicaId()).isEqualTo("fulcrum-3");
            assertThat(snapshot.operations()).isEmpty();
            assertThat(snapshot.state().compactedUpTo()).isEqualTo(Map.of("fulcrum-1", 1L, "fulcrum-2", 2L));

            // a compacted store opens again, and writes after compaction still merge
            try (InProcessWorker w1 = InProcessWorker.replica(uri, tmp.resolve("fulcrum-1"), "fulcrum-1");
                 InProcessWorker w3 = InProcessWorker.replica(uri, tmp.resolve("fulcrum-3"), "fulcrum-3")) {
                assertThat(c1.call(Command.updateNumber("Alderaan", "Aldera", 9)).clock().toString()).isEqualTo("[1,2,0]");
                spy.status.clear();
                spy.toAll(MergeMessages.MERGE_NOW, new MergeMessages.MergeNow("round-2"));
                spy.awaitEqualVectors(List.of("fulcrum-1", "fulcrum-3"), v -> v.get("fulcrum-1") == 2L);
            }
            assertThat(RocksReplicaStore.canonicalDump(tmp.resolve("fulcrum-3"), IDS)).contains("Alderaan Aldera 9\n")
                    .contains("Alderaan clock [1,2,0]\n");
            assertThat(CanonicalDump.clock(IDS, VectorClock.of(Map.of("fulcrum-1", 1L)))).isEqualTo("[1,0,0]");
        }
    }
}
