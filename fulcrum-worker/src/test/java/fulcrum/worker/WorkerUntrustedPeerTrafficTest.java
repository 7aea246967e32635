package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.Compacted;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.Phase;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import fulcrum.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Traffic between replicas is untrusted input. Whatever a peer (or anyone who can publish on the
 * broker) sends — a body that does not decode, one over its size bound, an unknown type, a delta
 * whose entries contradict the rules or what the replica holds, a request or an announcement that
 * cannot be true — is moved to fulcrum.dead-letters with its reason, acknowledged (never
 * redelivered), never crashes the worker, and the replica goes on applying its peers' entries and
 * serving its clients correctly afterwards.
 *
 * <p>Each case runs on a replica that wrote two entries of its own ({@code fulcrum-1#1..#2}, on
 * Tatooine) and applied one entry of fulcrum-2 ({@code fulcrum-2#1}, AddCity Hoth Echo_Base),
 * written by the stand-in stream {@link #F2_INCARNATION}.
 */
class WorkerUntrustedPeerTrafficTest {
    private static final long F2_INCARNATION = 22;
    private static final long BEYOND_2_63 = Long.MAX_VALUE - 1;
    private static final long A_QUADRILLION = 1_000_000_000_000_000L;
    private static final String LONG_TEXT = "x".repeat(10_000);

    @TempDir
    Path dataDir;

    /** Where a forged message goes in. */
    enum Via { MERGE_QUEUE, STATUS_FANOUT }

    /** A forged message: its AMQP type and body (built from the stand-in stream after the setup). */
    record Forged(Via via, String type, byte[] body) {
        static Forged merge(PeerMessage m) {
            return new Forged(Via.MERGE_QUEUE, m.type(), PeerCodec.encode(m));
        }

        /** As JSON, which replicas wrote before binary deltas and still read. */
        static Forged mergeJson(PeerMessage m) {
            return new Forged(Via.MERGE_QUEUE, m.type(), FulcrumJson.write(m));
        }

        static Forged merge(String type, String body) {
            return new Forged(Via.MERGE_QUEUE, type, body.getBytes(StandardCharsets.UTF_8));
        }

        static Forged status(ReplicaStatus s) {
            return new Forged(Via.STATUS_FANOUT, s.type(), PeerCodec.encode(s));
        }

        static Forged status(String type, String body) {
            return new Forged(Via.STATUS_FANOUT, type, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    interface Forgery {
        /** @param f2 fulcrum-2's stand-in stream, after its entry #1 */
        Forged make(PeerStream f2) throws Exception;
    }

    static Stream<Arguments> forgeries() {
        return Stream.of(
                // ---- undecodable ----
                bad("a MergeDelta that is not JSON", ErrorCode.BAD_MESSAGE, "invalid MergeDelta",
                        f2 -> Forged.merge(Delta.TYPE, "hello, Fulcrum")),
                bad("a MergeDelta of the wrong shape (an unknown field)", ErrorCode.BAD_MESSAGE, "invalid MergeDelta",
                        f2 -> Forged.merge(Delta.TYPE, "{\"origin\":\"fulcrum-2\",\"operations\":[],\"colour\":\"red\"}")),
                bad("a MergeDelta over 8 MiB", ErrorCode.BAD_MESSAGE, "exceeds " + PeerCodec.MAX_MERGE_BODY_BYTES,
                        f2 -> Forged.merge(Delta.TYPE, "{\"origin\":\"fulcrum-2\",\"operations\":[]}"
                                + " ".repeat(PeerCodec.MAX_MERGE_BODY_BYTES))),
                bad("an unknown type", ErrorCode.UNKNOWN_COMMAND, "unknown merge message type 'Gossip'",
                        f2 -> Forged.merge("Gossip", "{}")),
                bad("no type", ErrorCode.UNKNOWN_COMMAND, "needs an AMQP type",
                        f2 -> Forged.merge(null, "{}")),
                bad("an entry of incarnation 0", ErrorCode.BAD_MESSAGE, "incarnation is positive",
                        f2 -> Forged.merge(Delta.TYPE, new String(FulcrumJson.write(PeerStream.delta(f2.updateNumber("Hoth",
                                "fulcrum-2:1", 2))), StandardCharsets.UTF_8).replace("\"incarnation\":" + F2_INCARNATION,
                                "\"incarnation\":0"))),
                bad("a binary MergeDelta cut short", ErrorCode.BAD_MESSAGE, "invalid MergeDelta: its binary body it counts",
                        f2 -> {
                            byte[] whole = PeerCodec.encode(PeerStream.delta(f2.updateNumber("Hoth", "fulcrum-2:1", 2)));
                            return new Forged(Via.MERGE_QUEUE, Delta.TYPE, Arrays.copyOf(whole, whole.length - 3));
                        }),
                bad("a MergeNow without a request id", ErrorCode.BAD_MESSAGE, "invalid MergeNow",
                        f2 -> Forged.merge(MergeNow.TYPE, "{}")),
                // ---- a delta against the rules ----
                bad("a delta whose origin is not a replica", ErrorCode.BAD_MESSAGE, "origin 'fulcrum-9' is not one of",
                        f2 -> Forged.merge(PeerStream.delta(new PeerStream("fulcrum-9", 9).addCity("Hoth", "Outpost", 1)))),
                bad("a delta holding another origin's entry", ErrorCode.BAD_MESSAGE, "holds entry fulcrum-2#2",
                        f2 -> Forged.merge(new Delta("fulcrum-3", List.of(f2.updateNumber("Hoth", "fulcrum-2:1", 2))))),
                bad("a delta that skips a sequence number", ErrorCode.BAD_MESSAGE, "skips from #2 to #4",
                        f2 -> {
                            Operation second = f2.updateNumber("Hoth", "fulcrum-2:1", 2);
                            f2.updateNumber("Hoth", "fulcrum-2:1", 3);
                            return Forged.merge(PeerStream.delta(second, f2.updateNumber("Hoth", "fulcrum-2:1", 4)));
                        }),
                bad("an empty delta", ErrorCode.BAD_MESSAGE, "carries 1..500 entries, got 0",
                        f2 -> Forged.merge(new Delta("fulcrum-2", List.of()))),
                bad("a delta of 501 entries", ErrorCode.BAD_MESSAGE, "got 501",
                        f2 -> {
                            List<Operation> ops = new ArrayList<>();
                            for (int i = 0; i < 501; i++) {
                                ops.add(f2.updateNumber("Hoth", "fulcrum-2:1", i));
                            }
                            return Forged.merge(new Delta("fulcrum-2", ops));
                        }),
                bad("a clock entry near 2^63", ErrorCode.BAD_MESSAGE, "beyond 2^53",
                        f2 -> Forged.merge(PeerStream.delta(entry(f2, 2, OpKind.UpdateNumber, "fulcrum-2:1", null, 2L,
                                Map.of("fulcrum-2", 2L, "fulcrum-3", BEYOND_2_63), "c")))),
                bad("a sequence number beyond 2^53", ErrorCode.BAD_MESSAGE, "originSeq " + BEYOND_2_63 + " outside",
                        f2 -> Forged.merge(PeerStream.delta(entry(f2, BEYOND_2_63, OpKind.UpdateNumber, "fulcrum-2:1", null,
                                2L, Map.of("fulcrum-2", 2L), "c")))),
                bad("a city id of 10,000 characters", ErrorCode.BAD_MESSAGE, "is not <replica>:<seq>",
                        f2 -> Forged.merge(PeerStream.delta(entry(f2, 2, OpKind.UpdateNumber, LONG_TEXT, null, 2L,
                                Map.of("fulcrum-2", 2L), "c")))),
                bad("a command id of 10,000 characters", ErrorCode.BAD_MESSAGE, "commandId of 10000 characters",
                        f2 -> Forged.merge(PeerStream.delta(entry(f2, 2, OpKind.UpdateNumber, "fulcrum-2:1", null, 2L,
                                Map.of("fulcrum-2", 2L), LONG_TEXT)))),
                bad("a negative count (a JSON delta: binary holds no negative number)", ErrorCode.BAD_MESSAGE,
                        "negative count -3",
                        f2 -> Forged.mergeJson(PeerStream.delta(entry(f2, 2, OpKind.UpdateNumber, "fulcrum-2:1", null, -3L,
                                Map.of("fulcrum-2", 2L), "c")))),
                bad("a city name with white space", ErrorCode.BAD_MESSAGE, "white space",
                        f2 -> Forged.merge(PeerStream.delta(entry(f2, 2, OpKind.UpdateName, "fulcrum-2:1", "Echo Base", null,
                                Map.of("fulcrum-2", 2L), "c")))),
                bad("an AddCity that creates another id than its own", ErrorCode.BAD_MESSAGE, "must create city fulcrum-2:2",
                        f2 -> Forged.merge(PeerStream.delta(entry(f2, 2, OpKind.AddCity, "fulcrum-3:7", "Outpost", 1L,
                                Map.of("fulcrum-2", 2L), "c")))),
                bad("a write whose clock does not count it", ErrorCode.BAD_MESSAGE, "must count the write itself",
                        f2 -> Forged.merge(PeerStream.delta(entry(f2, 2, OpKind.UpdateNumber, "fulcrum-2:1", null, 2L,
                                Map.of("fulcrum-3", 1L), "c")))),
                // ---- a delta against what the replica holds ----
                bad("entries in this replica's name beyond what it wrote", ErrorCode.BAD_MESSAGE,
                        "in this replica's name, beyond what it wrote (#2)",
                        f2 -> Forged.merge(PeerStream.delta(entry(new PeerStream("fulcrum-1", 5), 3, OpKind.UpdateNumber,
                                "fulcrum-1:1", null, 9L, Map.of("fulcrum-1", 3L), "c")))),
                bad("an entry whose id another incarnation of its origin owns", ErrorCode.BAD_MESSAGE,
                        "belongs to incarnation " + F2_INCARNATION,
                        f2 -> Forged.merge(PeerStream.delta(new PeerStream("fulcrum-2", F2_INCARNATION + 1)
                                .addCity("Hoth", "Echo_Base", 1)))),
                bad("an entry far ahead of anything applied", ErrorCode.BAD_MESSAGE, "ahead of what this replica applied",
                        f2 -> Forged.merge(PeerStream.delta(entry(f2, (1L << 20) + 5, OpKind.UpdateNumber, "fulcrum-2:1", null,
                                2L, Map.of("fulcrum-2", 2L), "c")))),
                // ---- requests ----
                bad("a ResendRequest from sequence number 0", ErrorCode.BAD_MESSAGE, "fromSeq 0 outside",
                        f2 -> Forged.merge(new ResendRequest("fulcrum-1", 0, "fulcrum-2", "fulcrum-1"))),
                bad("a ResendRequest for an unknown origin", ErrorCode.BAD_MESSAGE, "origin 'fulcrum-7' is not one of",
                        f2 -> Forged.merge(new ResendRequest("fulcrum-7", 1, "fulcrum-2", "fulcrum-1"))),
                bad("a ResendRequest of a replica to itself", ErrorCode.BAD_MESSAGE, "asks itself",
                        f2 -> Forged.merge(new ResendRequest("fulcrum-1", 1, "fulcrum-1", "fulcrum-1"))),
                bad("a JoinOffer addressed to another replica", ErrorCode.BAD_MESSAGE, "addressed to fulcrum-3, not to fulcrum-1",
                        f2 -> Forged.merge(new JoinOffer("fulcrum-2", "fulcrum-3", "r", Phase.SERVING, Map.of(), Map.of(), 0))),
                bad("a ReplicaStatus on the merge queue", ErrorCode.BAD_MESSAGE, "on the wrong queue",
                        f2 -> Forged.merge(status("fulcrum-2", Map.of("fulcrum-2", 1L)))),
                // ---- announcements ----
                bad("a status that is not JSON", ErrorCode.BAD_MESSAGE, "invalid ReplicaStatus",
                        f2 -> Forged.status(ReplicaStatus.TYPE, "{\"replica\":")),
                bad("a status over 64 KiB", ErrorCode.BAD_MESSAGE, "exceeds " + PeerCodec.MAX_STATUS_BODY_BYTES,
                        f2 -> Forged.status(ReplicaStatus.TYPE, "{}" + " ".repeat(PeerCodec.MAX_STATUS_BODY_BYTES))),
                bad("a status of an unknown replica", ErrorCode.BAD_MESSAGE, "replica 'fulcrum-9' is not one of",
                        f2 -> Forged.status(status("fulcrum-9", Map.of()))),
                bad("a status claiming 10^15 of another origin", ErrorCode.BAD_MESSAGE, "far beyond anything known of fulcrum-3",
                        f2 -> Forged.status(status("fulcrum-2", Map.of("fulcrum-2", 1L, "fulcrum-3", A_QUADRILLION)))),
                bad("a status claiming more of this replica's stream than it wrote", ErrorCode.BAD_MESSAGE,
                        "claims to have applied fulcrum-1#3 but fulcrum-1 wrote only up to #2",
                        f2 -> Forged.status(status("fulcrum-2", Map.of("fulcrum-1", 3L, "fulcrum-2", 1L)))),
                bad("a status in this replica's name that it did not send", ErrorCode.BAD_MESSAGE,
                        "in this replica's name that it did not send",
                        f2 -> Forged.status(status("fulcrum-1", Map.of("fulcrum-1", 2L)))),
                bad("a status publishing beyond what it applied", ErrorCode.BAD_MESSAGE, "published #5 beyond own applied #1",
                        f2 -> Forged.status(new ReplicaStatus("fulcrum-2", 33, Phase.SERVING, Map.of("fulcrum-2", 1L), 5,
                                Map.of(), Map.of(), null))),
                bad("a status compacting beyond what it applied", ErrorCode.BAD_MESSAGE, "compacted fulcrum-1 beyond what it applied",
                        f2 -> Forged.status(new ReplicaStatus("fulcrum-2", 33, Phase.SERVING, Map.of("fulcrum-1", 1L), 0,
                                Map.of("fulcrum-1", 2L), Map.of(), null))),
                bad("a MergeDelta on the status fanout", ErrorCode.BAD_MESSAGE, "MergeDelta on the wrong queue",
                        f2 -> new Forged(Via.STATUS_FANOUT, Delta.TYPE,
                                PeerCodec.encode(PeerStream.delta(f2.updateNumber("Hoth", "fulcrum-2:1", 2))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void isDeadLetteredWithItsReasonOnceAndTheReplicaGoesOnServing(String label, ErrorCode code, String reasonMentions,
                                                                   Forgery forgery) throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            PeerStream f2 = setUp(replica);
            Forged forged = forgery.make(f2);
            if (forged.via() == Via.MERGE_QUEUE) {
                replica.wire.toQueueRaw("fulcrum-1", forged.type(), forged.body());
            } else {
                replica.wire.announceRaw(forged.type(), forged.body());
            }

            GetResponse dead = replica.client.awaitDeadLetter();
            Map<String, Object> headers = dead.getProps().getHeaders();
            assertThat(String.valueOf(headers.get(Amqp.HEADER_ERROR_CODE))).isEqualTo(code.name());
            assertThat(String.valueOf(headers.get(Amqp.HEADER_ERROR_REASON))).contains(reasonMentions);
            assertThat(dead.getBody()).as("the message as it came").isEqualTo(forged.body());
            assertThat(dead.getProps().getType()).isEqualTo(forged.type());
            if (forged.via() == Via.MERGE_QUEUE) {
                assertThat(String.valueOf(headers.get(Amqp.HEADER_SOURCE_QUEUE))).isEqualTo("fulcrum.fulcrum-1.merge");
            }

            // fulcrum-2's next genuine entry (its #2, whatever numbers the forgery used) is applied after it
            PeerStream genuine = new PeerStream("fulcrum-2", F2_INCARNATION);
            genuine.addCity("Hoth", "Echo_Base", 1);
            replica.wire.toQueue("fulcrum-1", PeerStream.delta(genuine.updateNumber("Hoth", "fulcrum-2:1", 40)));
            Reply read = Awaitility.await("fulcrum-2#2 applied").atMost(TestClient.WAIT)
                    .until(() -> replica.client.call(Command.getNumberRebelds("Hoth", "Echo_Base")),
                            r -> r.ok() && r.rebels() == 40);
            assertThat(WorkerCommandsTest.clock(read)).isEqualTo("[0,2,0]");
            assertThat(WorkerCommandsTest.clock(replica.client.call(Command.updateNumber("Tatooine", "Mos_Espa", 3))))
                    .as("and it serves writes").isEqualTo("[3,0,0]");

            // acknowledged, not requeued: nothing of it stays in the merge queue (ready or unacknowledged,
            // which only the node itself tells), and it was dead-lettered once
            if (TestBroker.usesPrivateNode()) {
                String vhost = TestBroker.virtualHost(replica.uri);
                Awaitility.await("merge queue settled").atMost(TestClient.WAIT)
                        .until(() -> TestBroker.privateNode().messagesHeld(vhost, Topology.replicaMergeQueue("fulcrum-1")) == 0);
            }
            assertThat(replica.client.deadLetterCount()).isZero();
            assertThat(replica.worker.stats().deadLetters()).isEqualTo(1);
            assertThat(replica.worker.fatal.get()).isNull();
        }
    }

    /**
     * A forged status cannot make a replica compact entries a peer still needs: compaction follows
     * only what the peers' genuine announcements say, read back from the store's compaction floors.
     * Were the forged claims believed, each later genuine (lower) claim of the same incarnation
     * would be refused as a step back, and the floor would reach #3.
     */
    @Test
    void forgedStatusesCompactNothingAndGenuineOnesCompactOnlyWhatEveryPeerApplied() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            for (int i = 0; i < 3; i++) {
                assertThat(replica.client.call(Command.addCity("Tatooine", "City_" + i, i)).ok()).isTrue();
            }
            replica.wire.announce(status("fulcrum-3", Map.of("fulcrum-1", A_QUADRILLION)));
            replica.wire.announce(status("fulcrum-2", Map.of("fulcrum-1", 3L, "fulcrum-3", A_QUADRILLION)));
            assertThat(String.valueOf(replica.client.awaitDeadLetter().getProps().getHeaders().get(Amqp.HEADER_ERROR_REASON)))
                    .contains("claims to have applied fulcrum-1#" + A_QUADRILLION);
            assertThat(String.valueOf(replica.client.awaitDeadLetter().getProps().getHeaders().get(Amqp.HEADER_ERROR_REASON)))
                    .contains("far beyond anything known of fulcrum-3");

            replica.wire.announce(status("fulcrum-2", Map.of("fulcrum-1", 3L)));
            replica.wire.announce(status("fulcrum-3", Map.of("fulcrum-1", 1L)));
            ReplicaStatus compacted = replica.wire.awaitStatus("fulcrum-1", s -> s.compacted().getOrDefault("fulcrum-1", 0L) > 0);
            assertThat(compacted.compacted()).containsExactly(Map.entry("fulcrum-1", 1L));
            try (ReadOnlyRocksStore store = RocksStore.openReadOnly(dataDir)) {
                assertThat(store.meta().compactedUpTo()).containsExactly(Map.entry("fulcrum-1", 1L));
                assertThat(store.operations("fulcrum-1", 1, 10)).extracting(Operation::originSeq).containsExactly(2L, 3L);
            }
            assertThat(replica.client.deadLetterCount()).isZero();
        }
    }

    /**
     * A peer's claim about its own stream is bounded like any other: 10^15 is more of any stream
     * than can exist (the design note: "more of any stream than is known to exist (by more than
     * 2^20)"). Believed, it also locks the peer out: every genuine announcement of that incarnation
     * after it claims less, is refused as a step back and dead-lettered, so the replica stops
     * learning what the peer applied (and compacts nothing more for it).
     */
    @Test
    void aStatusClaimingAQuadrillionOfItsSendersOwnStreamIsDeadLetteredAndTheGenuineOneAfterItKept() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            ReplicaStatus forged = new ReplicaStatus("fulcrum-2", 33, Phase.SERVING, Map.of("fulcrum-2", A_QUADRILLION),
                    A_QUADRILLION, Map.of(), Map.of(), null);
            replica.wire.announce(forged);
            replica.wire.announce(status("fulcrum-2", Map.of("fulcrum-2", 1L)));
            GetResponse dead = replica.client.awaitDeadLetter();
            assertThat(String.valueOf(dead.getProps().getHeaders().get(Amqp.HEADER_ERROR_REASON)))
                    .contains("far beyond anything known of fulcrum-2");
            assertThat(dead.getBody()).as("the forged status, not the genuine one").isEqualTo(PeerCodec.encode(forged));
        }
    }

    /**
     * A {@code Compacted} answer makes a replica that lacks the compacted entries rejoin from a
     * snapshot (it clears its state). One that claims a floor far beyond anything known of the
     * origin (10^15 of fulcrum-3, of which nothing exists) cannot be true and must be refused like
     * an announcement making the same claim, not obeyed: else one forged message makes a serving
     * replica drop its state and stop serving until a peer gives it a snapshot.
     */
    @Test
    void aCompactedFloorBeyondAnythingKnownIsDeadLetteredAndTheReplicaKeepsServing() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            assertThat(replica.client.call(Command.addCity("Tatooine", "Mos_Espa", 1)).ok()).isTrue();
            long incarnation = replica.worker.stats().incarnation();
            replica.wire.toQueue("fulcrum-1", new Compacted("fulcrum-2", "fulcrum-1", "fulcrum-3", A_QUADRILLION));
            Awaitility.await("the forged floor refused, or obeyed").atMost(TestClient.WAIT)
                    .until(() -> replica.client.deadLetterCount() > 0 || replica.worker.stats().phase() != Phase.SERVING);
            assertThat(replica.worker.stats().phase()).as("still serving, not rejoining").isEqualTo(Phase.SERVING);
            GetResponse dead = replica.client.awaitDeadLetter();
            assertThat(String.valueOf(dead.getProps().getHeaders().get(Amqp.HEADER_ERROR_REASON))).contains("fulcrum-3");
            assertThat(replica.client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(1);
            assertThat(replica.worker.stats().phase()).isEqualTo(Phase.SERVING);
            assertThat(replica.worker.stats().incarnation()).isEqualTo(incarnation);
        }
    }

    /** Own entries #1..#2 on Tatooine; fulcrum-2#1 (AddCity Hoth Echo_Base 1) applied. */
    private static PeerStream setUp(LoneReplica replica) throws Exception {
        assertThat(replica.client.call(Command.addCity("Tatooine", "Mos_Espa", 1)).ok()).isTrue();
        assertThat(replica.client.call(Command.updateNumber("Tatooine", "Mos_Espa", 2)).ok()).isTrue();
        PeerStream f2 = new PeerStream("fulcrum-2", F2_INCARNATION);
        replica.wire.toQueue("fulcrum-1", PeerStream.delta(f2.addCity("Hoth", "Echo_Base", 1)));
        replica.wire.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-2", 0L) == 1);
        return f2;
    }

    private static Arguments bad(String label, ErrorCode code, String reasonMentions, Forgery forgery) {
        return Arguments.of(label, code, reasonMentions, forgery);
    }

    /** An entry of {@code stream}'s origin and incarnation with every field given (the rules decide). */
    private static Operation entry(PeerStream stream, long seq, OpKind kind, String cityId, String name, Long rebels,
                                   Map<String, Long> clock, String commandId) {
        return new Operation(stream.origin, stream.incarnation, seq, "Hoth", kind, cityId, name, rebels,
                VectorClock.of(clock), commandId);
    }

    /** A serving replica's announcement, incarnation 33, nothing published or compacted. */
    private static ReplicaStatus status(String replica, Map<String, Long> applied) {
        return new ReplicaStatus(replica, 33, Phase.SERVING, new TreeMap<>(applied), 0, Map.of(), Map.of(), null);
    }
}
