package fulcrum.worker;

import static fulcrum.worker.WorkerCommandsTest.IDS;
import static fulcrum.worker.WorkerCommandsTest.clock;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.Ready;
import fulcrum.core.node.ReplicaNode;
import fulcrum.core.node.ReplyAddress;
import fulcrum.core.protocol.Compacted;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.protocol.SnapshotChunk;
import fulcrum.core.protocol.SnapshotRequest;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's side of the protocol between replicas, against a real broker and a real store, its
 * peers played by the test: what it applies, holds, asks for, answers, publishes and when, what it
 * compacts, and the snapshot it serves a joining peer.
 */
class WorkerMergeTest {
    @TempDir
    Path dataDir;

    @Test
    void peerEntriesAreAppliedOnceHeldInTheOpLogAndSurviveARestart() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            PeerStream f2 = new PeerStream("fulcrum-2", 22);
            Operation add = f2.addCity("Tatooine", "Mos_Espa", 5);
            Operation update = f2.updateNumber("Tatooine", "fulcrum-2:1", 7);
            replica.wire.toQueue("fulcrum-1", PeerStream.delta(add, update));
            replica.wire.toQueue("fulcrum-1", PeerStream.delta(add, update)); // a duplicate
            replica.wire.toQueue("fulcrum-1", PeerStream.delta(update)); // an overlap
            replica.wire.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-2", 0L) == 2);
            Reply get = replica.client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
            assertThat(get.rebels()).isEqualTo(7);
            assertThat(clock(get)).isEqualTo("[0,2,0]");
            assertThat(clock(replica.client.call(Command.updateNumber("Tatooine", "Mos_Espa", 9))))
                    .as("a local write follows the peer's writes").isEqualTo("[1,2,0]");

            replica.restart();
            RocksStore store = replica.worker.store;
            assertThat(store.operations("fulcrum-2", 1, 10)).containsExactly(add, update);
            assertThat(store.meta().appliedSeq()).isEqualTo(Map.of("fulcrum-1", 1L, "fulcrum-2", 2L));
            assertThat(store.meta().incarnations().get("fulcrum-2")).containsExactly(new IncarnationStart(22, 1));
            assertThat(store.commandRecords(add.commandId())).containsExactly(CommandRecord.of(add));
            assertThat(store.commandRecords(update.commandId())).containsExactly(CommandRecord.of(update));
            assertThat(replica.client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(9);
            assertThat(replica.client.deadLetterCount()).isZero();
        }
    }

    @Test
    void anEntryAfterAGapIsHeldItsPredecessorsAreAskedOfItsOriginAndAppliedInOrderWhenTheyCome() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            PeerStream f3 = new PeerStream("fulcrum-3", 33);
            Operation one = f3.addCity("Hoth", "Echo_Base", 1);
            Operation two = f3.updateNumber("Hoth", "fulcrum-3:1", 2);
            Operation three = f3.updateNumber("Hoth", "fulcrum-3:1", 3);
            replica.wire.toQueue("fulcrum-1", PeerStream.delta(three));

            ResendRequest request = replica.peers.await("fulcrum-3", ResendRequest.class, r -> true);
            assertThat(request).isEqualTo(new ResendRequest("fulcrum-3", 1, "fulcrum-1", "fulcrum-3"));
            assertThat(replica.worker.store.lastOperationSeq("fulcrum-3")).as("#3 held").isEqualTo(3);
            assertThat(replica.worker.store.meta().applied("fulcrum-3")).as("and not applied").isZero();
            assertThat(replica.client.call(Command.getNumberRebelds("Hoth", "Echo_Base")).errorCode())
                    .isEqualTo(ErrorCode.CITY_NOT_FOUND);

            replica.wire.toQueue("fulcrum-1", PeerStream.delta(one, two));
            replica.wire.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-3", 0L) == 3);
            String dump = CanonicalDump.of(IDS, replica.worker.store.planets(), replica.worker.store.meta().appliedSeq());
            assertThat(dump).contains("Hoth clock [0,0,3]\n", "Hoth Echo_Base 3\n");
        }
    }

    @Test
    void ownEntriesComingBackAreIgnored() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            assertThat(replica.client.call(Command.addCity("Naboo", "Theed", 4)).ok()).isTrue();
            Delta own = replica.peers.await("fulcrum-2", Delta.class, d -> d.origin().equals("fulcrum-1"));
            replica.wire.toQueue("fulcrum-1", own);
            // the marker: a peer's entry queued after the own delta; once it is applied the own one was handled
            replica.wire.toQueue("fulcrum-1", PeerStream.delta(new PeerStream("fulcrum-2", 22).addCity("Naboo", "Otoh_Gunga", 1)));
            replica.wire.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-2", 0L) == 1);
            assertThat(replica.worker.store.meta().applied("fulcrum-1")).isEqualTo(1);
            assertThat(replica.worker.store.commandRecords(own.operations().get(0).commandId())).hasSize(1);
            assertThat(replica.client.deadLetterCount()).isZero();
        }
    }

    @Test
    void aResendRequestIsAnsweredByItsTargetFromTheOpLogStraightToTheRequester() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            for (int i = 0; i < 3; i++) {
                assertThat(replica.client.call(Command.addCity("Dagobah", "Hut_" + i, i)).ok()).isTrue();
            }
            // addressed to fulcrum-3: not this replica's to answer
            replica.wire.toQueue("fulcrum-1", new ResendRequest("fulcrum-1", 1, "fulcrum-2", "fulcrum-3"));
            replica.wire.toQueue("fulcrum-1", new ResendRequest("fulcrum-1", 2, "fulcrum-2", "fulcrum-1"));
            Delta answer = replica.peers.await("fulcrum-2", Delta.class, d -> d.operations().size() == 2);
            assertThat(answer.origin()).isEqualTo("fulcrum-1");
            assertThat(answer.operations()).extracting(Operation::originSeq).containsExactly(2L, 3L);
            // what fulcrum-2 got: the three writes as they were made (eager), then the answer; nothing for fulcrum-3's request
            assertThat(replica.peers.received("fulcrum-2", Delta.class))
                    .extracting(d -> d.operations().stream().map(Operation::originSeq).toList())
                    .containsExactly(List.of(1L), List.of(2L), List.of(3L), List.of(2L, 3L));
            replica.peers.pullNow("fulcrum-3");
            assertThat(replica.peers.received("fulcrum-3", Delta.class)).as("the answer went to the requester only").hasSize(3);
        }
    }

    /** In eager mode (the default) a write is answered only once its entry is in every peer's merge queue. */
    @Test
    void eagerlyAWriteIsAnsweredOnlyOnceItsEntryIsInEveryPeersMergeQueue() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            for (int i = 1; i <= 5; i++) {
                String id = replica.client.send(Command.addCity("Yavin", "Base_" + i, i));
                assertThat(replica.client.awaitReply(id).ok()).isTrue();
                // read right after the reply, without waiting: the entry must already be there
                for (String peer : List.of("fulcrum-2", "fulcrum-3")) {
                    List<PeerMessage> queued = replica.peers.pullNow(peer);
                    assertThat(queued).as("%s's merge queue after write #%d", peer, i).singleElement()
                            .isInstanceOfSatisfying(Delta.class, d -> assertThat(d.operations()).singleElement()
                                    .satisfies(op -> assertThat(op.commandId()).isEqualTo(id)));
                }
            }
            // the mark is written with the commit after the confirms (a crash before it publishes the entries again)
            Awaitility.await("published mark on disk").atMost(TestClient.WAIT)
                    .until(() -> replica.worker.store.meta().publishedUpTo() == 5);
        }
    }

    /**
     * A store restarted with far more of its own entries unpublished than one Ready publishes (here
     * written in interval mode while the worker was down): the worker publishes the backlog a
     * bounded round at a time, takes commands again once the rest fits one round, and answers a write
     * only once every own entry up to it is in both peers' merge queues.
     */
    @Test
    void aLargeUnpublishedBacklogGoesOutBeforeAnyWriteIsAnswered() throws Exception {
        int backlog = 37_000; // more than one round of 64 deltas of 500 entries
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            replica.restart(() -> writeUnpublished(replica.dataDir, backlog));
            String id = replica.client.send(Command.addCity("Yavin", "After_the_backlog", 1));
            assertThat(replica.client.awaitReply(id).ok()).isTrue();
            for (String peer : List.of("fulcrum-2", "fulcrum-3")) {
                replica.peers.pullNow(peer); // without waiting: the entries must be there with the reply
                List<Long> seqs = replica.peers.received(peer, Delta.class).stream()
                        .flatMap(d -> d.operations().stream()).map(Operation::originSeq).toList();
                assertThat(seqs).as("%s's merge queue, in order, nothing twice", peer).hasSize(backlog + 1)
                        .isSorted().doesNotHaveDuplicates().endsWith((long) backlog + 1);
            }
        }
    }

    /** {@code entries} AddCity entries of fulcrum-1, committed to its stopped store and never published. */
    private static void writeUnpublished(Path dataDir, int entries) {
        try (RocksStore store = RocksStore.open(dataDir, LoneReplica.SELF)) {
            ReplicaNode writer = new ReplicaNode(NodeConfig.defaults(LoneReplica.SELF, IDS, store.meta().incarnation(), 1)
                    .withReplication(NodeConfig.Replication.INTERVAL), store, 0); // no tick: its interval never comes
            long tag = 0;
            for (int i = 0; i < entries; i++) {
                writer.onCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, ++tag), ReplyAddress.NONE, "backlog-" + i,
                        Command.addCity("Hoth", "c" + i, 1), null);
                if (i % 5_000 == 4_999 || i == entries - 1) {
                    Ready r;
                    while ((r = writer.ready()) != null) {
                        store.commit(r.commit());
                        writer.advance(r, true);
                    }
                }
            }
            assertThat(store.meta().publishedUpTo()).isZero();
        }
    }

    /**
     * In interval mode (the seed's) a write is answered once it is on this disk; its entry goes out
     * only at the merge interval or on MergeNow, and only what was not published before, a mark
     * that survives a restart.
     */
    @Test
    void inIntervalModeMergeNowPublishesOnlyWhatWasNotPublishedAndTheMarkSurvivesARestart() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir, s -> InProcessWorker.intervalSettings(s.uri(), s.replicaId(),
                Duration.ofHours(1)))) {
            for (int i = 0; i < 3; i++) {
                assertThat(replica.client.call(Command.addCity("Endor", "Village_" + i, i)).ok()).isTrue();
            }
            assertThat(replica.peers.pullNow("fulcrum-2")).as("nothing published before the merge").isEmpty();
            replica.wire.mergeNow();
            Delta first = replica.peers.await("fulcrum-2", Delta.class, d -> true);
            assertThat(first.operations()).extracting(Operation::originSeq).containsExactly(1L, 2L, 3L);
            replica.wire.awaitStatus("fulcrum-1", s -> s.published() == 3);

            replica.restart();
            assertThat(replica.worker.store.meta().publishedUpTo()).isEqualTo(3);
            assertThat(replica.client.call(Command.addCity("Endor", "Village_3", 3)).ok()).isTrue();
            replica.wire.mergeNow();
            Delta second = replica.peers.await("fulcrum-2", Delta.class, d -> true);
            assertThat(second.operations()).extracting(Operation::originSeq).containsExactly(4L);
            assertThat(replica.peers.received("fulcrum-2", Delta.class)).as("nothing published twice").hasSize(2);
        }
    }

    @Test
    void inIntervalModeEntriesGoOutAtTheMergeIntervalWithoutBeingAsked() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir, s -> InProcessWorker.intervalSettings(s.uri(), s.replicaId(),
                Duration.ofMillis(300)))) {
            String id = replica.client.send(Command.addCity("Endor", "Village", 1));
            assertThat(replica.client.awaitReply(id).ok()).isTrue();
            Delta delta = replica.peers.await("fulcrum-3", Delta.class, d -> true);
            assertThat(delta.operations()).singleElement().satisfies(op -> assertThat(op.commandId()).isEqualTo(id));
        }
    }

    /**
     * Entries are compacted once every peer announced, as a serving replica, that it applied them;
     * a resend request from below the floor is answered with the floor ({@code Compacted}) and the
     * entries above it.
     */
    @Test
    void entriesEveryPeerAppliedAreCompactedAndAResendFromBelowTheFloorIsToldSo() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            for (int i = 0; i < 4; i++) {
                assertThat(replica.client.call(Command.addCity("Kashyyyk", "Tree_" + i, i)).ok()).isTrue();
            }
            replica.wire.announce(serving("fulcrum-2", 3));
            replica.wire.announce(serving("fulcrum-3", 3));
            replica.wire.awaitStatus("fulcrum-1", s -> s.compacted().getOrDefault("fulcrum-1", 0L) == 3);
            assertThat(replica.worker.store.meta().compacted("fulcrum-1")).isEqualTo(3);
            assertThat(replica.worker.store.operations("fulcrum-1", 1, 10)).extracting(Operation::originSeq).containsExactly(4L);
            assertThat(replica.worker.store.commandRecords(replica.worker.store.operations("fulcrum-1", 4, 1).get(0).commandId()))
                    .as("command records are never compacted").hasSize(1);

            replica.wire.toQueue("fulcrum-1", new ResendRequest("fulcrum-1", 1, "fulcrum-2", "fulcrum-1"));
            assertThat(replica.peers.await("fulcrum-2", Compacted.class, c -> true))
                    .isEqualTo(new Compacted("fulcrum-1", "fulcrum-2", "fulcrum-1", 3));
            assertThat(replica.peers.await("fulcrum-2", Delta.class, d -> d.operations().get(0).originSeq() == 4
                    && replica.peers.received("fulcrum-2", Compacted.class).size() == 1).operations()).hasSize(1);
            try (ReadOnlyRocksStore store = RocksStore.openReadOnly(dataDir)) {
                assertThat(store.meta().compactedUpTo()).containsExactly(Map.entry("fulcrum-1", 3L));
            }
        }
    }

    /**
     * A peer that joins is offered what this replica holds (its applied vector and how much of the
     * joiner's own stream it holds) and is served a snapshot over the broker, page after page.
     */
    @Test
    void aJoiningPeerIsOfferedTheStateAndServedItsSnapshotPageByPage() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            PeerStream f3 = new PeerStream("fulcrum-3", 33);
            replica.wire.toQueue("fulcrum-1", PeerStream.delta(f3.addCity("Hoth", "Echo_Base", 1)));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                ids.add(replica.client.send(Command.addCity("Coruscant", "Level_" + i, i)));
            }
            ids.forEach(replica.client::awaitReply);
            replica.wire.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-3", 0L) == 1);

            replica.wire.toQueue("fulcrum-1", new JoinRequest("fulcrum-3", 34, "join-1"));
            JoinOffer offer = replica.peers.await("fulcrum-3", JoinOffer.class, o -> o.requestId().equals("join-1"));
            assertThat(offer.from()).isEqualTo("fulcrum-1");
            assertThat(offer.phase()).isEqualTo(Phase.SERVING);
            assertThat(offer.applied()).isEqualTo(Map.of("fulcrum-1", 120L, "fulcrum-3", 1L));
            assertThat(offer.heldOfRequester()).as("fulcrum-3's own stream as this replica holds it").isEqualTo(1);

            List<SnapshotChunk> pages = new ArrayList<>();
            String cursor = null;
            do {
                replica.wire.toQueue("fulcrum-1", new SnapshotRequest("fulcrum-3", "fulcrum-1", "join-1", pages.size(), cursor));
                long pageNo = pages.size();
                SnapshotChunk page = replica.peers.await("fulcrum-3", SnapshotChunk.class, c -> c.pageNo() == pageNo);
                assertThat(page.error()).isNull();
                pages.add(page);
                cursor = page.nextCursor();
            } while (cursor != null);
            assertThat(pages.get(0).applied()).isEqualTo(Map.of("fulcrum-1", 120L, "fulcrum-3", 1L));
            assertThat(pages.stream().mapToLong(p -> p.clocks().size()).sum()).isEqualTo(2);
            assertThat(pages.stream().mapToLong(p -> p.cities().size()).sum()).isEqualTo(121);
            assertThat(pages.stream().mapToLong(p -> p.commands().size()).sum()).as("one record per entry").isEqualTo(121);
            assertThat(replica.client.deadLetterCount()).isZero();
        }
    }

    private static ReplicaStatus serving(String replica, long appliedOfFulcrum1) {
        return new ReplicaStatus(replica, 50, Phase.SERVING, Map.of("fulcrum-1", appliedOfFulcrum1), 0, Map.of(), Map.of(), null);
    }
}
