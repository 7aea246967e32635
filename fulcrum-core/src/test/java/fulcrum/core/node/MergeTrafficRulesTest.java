package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.Phase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Merge traffic is untrusted input: each kind of broken or forged message a peer (or anyone on the
 * broker) could send is dead-lettered with its reason, changes nothing, and the replica serves on.
 */
class MergeTrafficRulesTest {
    static final List<String> IDS = List.of("A", "B", "C");
    TestReplica a;
    TestReplica c;

    @BeforeEach
    void replicas() {
        a = new TestReplica("A", IDS);
        c = new TestReplica("C", IDS);
        a.execute("cmd-1", Command.addCity("Tatooine", "Mos_Espa", 5));
    }

    static VectorClock clock(long a, long b, long c) {
        return VectorClock.of(Map.of("A", a, "B", b, "C", c));
    }

    static Operation add(String origin, long seq, VectorClock clock, String commandId) {
        return new Operation(origin, 1, seq, "Tatooine", OpKind.AddCity, Operation.cityIdOf(origin, seq), "X" + seq, 1L,
                clock, commandId);
    }

    /** Delivers {@code message} to C and returns the reason it was dead-lettered (fails if it was not). */
    String refused(PeerMessage message) {
        String before = c.dump();
        Ready ready = c.receive(message);
        assertThat(ready).as("a Ready for " + message.type()).isNotNull();
        assertThat(ready.deadLetters()).as("dead letters for " + message).hasSize(1);
        assertThat(ready.deadLetters().get(0).code()).isEqualTo(ErrorCode.BAD_MESSAGE);
        boolean status = message instanceof ReplicaStatus; // announcements are auto-acked, never redelivered
        assertThat(ready.acks()).as("a poison message is acked, never redelivered").hasSize(status ? 0 : 1);
        assertThat(c.dump()).as("state unchanged").isEqualTo(before);
        return ready.deadLetters().get(0).reason();
    }

    @Test
    void aServingReplicaDropsItsOwnDeltaUnreadAndAcksIt() {
        String before = a.dump();
        DeliveryRef echo = new DeliveryRef(DeliveryRef.Source.MERGE, 0, 9_999);
        assertThat(a.node().onOwnDeltaEcho(echo)).isTrue();
        Ready ready = a.node().ready();
        assertThat(ready.acks()).containsExactly(echo);
        assertThat(ready.deadLetters()).isEmpty();
        assertThat(a.dump()).isEqualTo(before);
    }

    @Test
    void aDeltaFromAnOriginThatIsNoReplica() {
        assertThat(refused(new Delta("Z", List.of(add("Z", 1, VectorClock.of(Map.of("Z", 1L)), "x")))))
                .contains("not one of");
    }

    @Test
    void aDeltaWhoseSequenceSkips() {
        Operation one = add("B", 1, clock(0, 1, 0), "b1");
        Operation three = add("B", 3, clock(0, 2, 0), "b3");
        assertThat(refused(new Delta("B", List.of(one, three)))).contains("skips from #1 to #3");
    }

    @Test
    void aClockEntryNear2To63() {
        assertThat(refused(new Delta("B", List.of(add("B", 1, clock(0, Long.MAX_VALUE - 1, 0), "b1")))))
                .contains("beyond 2^53");
    }

    @Test
    void aCityIdOrCommandIdOfAnySize() {
        String huge = "x".repeat(10_000);
        Operation badCity = new Operation("B", 1, 1, "Tatooine", OpKind.UpdateNumber, huge, null, 3L, clock(0, 1, 0), "b1");
        assertThat(refused(new Delta("B", List.of(badCity)))).contains("city id");
        assertThat(refused(new Delta("B", List.of(add("B", 1, clock(0, 1, 0), huge))))).contains("commandId of 10000");
    }

    @Test
    void anEntryWhoseOwnClockContradictsItsPredecessorsIsDroppedAndAskedForAgain() {
        // B's first entry on Tatooine claims B had written 5 times there
        Ready ready = c.receive(new Delta("B", List.of(add("B", 1, clock(0, 5, 0), "b1"))));
        assertThat(c.applied()).doesNotContainKey("B");
        assertThat(ready.notes()).anyMatch(n -> n.contains("had written 5 time(s)"));
        assertThat(c.store().operations("B", 1, 10)).as("the held entry was dropped").isEmpty();
    }

    @Test
    void anEntryIdReusedByAnotherIncarnationIsNotTakenForADuplicate() {
        c.merge(a.store().allOperations());
        Operation reused = new Operation("A", 999, 1, "Tatooine", OpKind.AddCity, "A:1", "Other", 2L, clock(1, 0, 0), "other");
        assertThat(refused(new Delta("A", List.of(reused)))).contains("belongs to incarnation 1").contains("id reused");
    }

    @Test
    void aCompactedAnswerBeyondAnythingKnownDoesNotMakeAReplicaRejoin() {
        assertThat(refused(new fulcrum.core.protocol.Compacted("B", "C", "A", 1_000_000_000_000_000L)))
                .contains("beyond anything known");
        assertThat(c.node().serving()).isTrue();
    }

    @Test
    void aResendRequestFromNowhereOrForNothing() {
        assertThat(refused(new ResendRequest("A", 0, "B", "C"))).contains("fromSeq 0");
        assertThat(refused(new ResendRequest("Q", 1, "B", "C"))).contains("'Q' is not one of");
    }

    @Test
    void aStatusFromAnUnknownReplicaOrClaimingTheImpossible() {
        assertThat(refused(status("Q", Map.of("A", 1L)))).contains("'Q' is not one of");
        assertThat(refused(status("B", Map.of("A", 1_000_000_000_000_000L)))).contains("far beyond anything known");
        assertThat(refused(status("B", Map.of("B", 1_000_000_000_000_000L)))).as("of its own stream too")
                .contains("far beyond anything known");
        assertThat(refused(status("B", Map.of("C", 7L)))).contains("claims to have applied C#7 but C wrote only up to #0");
        assertThat(refused(status("C", Map.of("C", 3L)))).contains("in this replica's name");
    }

    @Test
    void aForgedStatusNeverCompactsWhatAPeerLacks() {
        // A's entry is applied at A only; a status saying B and C applied A#1 is plausible, so it is kept,
        // but A compacts only what every peer announced AND never beyond what it applied itself
        a.receive(status("B", Map.of("A", 1L)));
        a.advanceTime(10_000);
        assertThat(a.store().meta().compacted("A")).as("C has not announced: nothing compacted").isZero();
        assertThatStatusLeadIsBounded();
    }

    private void assertThatStatusLeadIsBounded() {
        assertThat(refused(status("B", Map.of("B", 1L, "A", (1L << 20) + 5)))).contains("far beyond");
    }

    static ReplicaStatus status(String replica, Map<String, Long> applied) {
        long own = applied.getOrDefault(replica, 0L);
        return new ReplicaStatus(replica, 1, Phase.SERVING, applied, own, Map.of(), Map.of(), null);
    }
}
