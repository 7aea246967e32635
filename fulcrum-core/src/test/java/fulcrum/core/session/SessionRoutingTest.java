package fulcrum.core.session;

import static fulcrum.core.session.SessionStateTest.clock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.node.TestReplica;
import fulcrum.core.replica.Reply;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SessionRoutingTest {
    static final List<String> ABC = List.of("A", "B", "C");

    @Test
    void withoutRequirementEveryReplicaQualifiesAndLoadSpreads() {
        SessionRouting routing = new SessionRouting(ABC, new Random(1));
        ReplicaKnowledge knowledge = new ReplicaKnowledge();
        TreeMap<String, Integer> first = new TreeMap<>();
        for (int i = 0; i < 3000; i++) {
            SessionRouting.Route route = routing.route("T", VectorClock.empty(), null, knowledge);
            assertThat(route.dominating()).containsExactlyInAnyOrderElementsOf(ABC);
            assertThat(route.lastReplica()).isNull();
            first.merge(route.order().get(0), 1, Integer::sum);
        }
        assertThat(first).containsOnlyKeys(ABC);
        assertThat(first.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
    }

    @Test
    void knownDominatingFirstThenTheLastReplicaThenTheRestByLag() {
        ReplicaKnowledge knowledge = new ReplicaKnowledge();
        VectorClock required = clock(2, 1, 0);
        knowledge.learn("A", "T", clock(2, 1, 0));
        knowledge.learn("B", "T", clock(0, 1, 0)); // misses 2
        knowledge.learn("C", "T", clock(1, 1, 0)); // misses 1
        knowledge.learn("D", "T", clock(5, 5, 5)); // D dominates, but for another planet below
        knowledge.learn("E", "Hoth", clock(9, 9, 9));
        SessionRouting routing = new SessionRouting(List.of("A", "B", "C", "D", "E"), new Random(7));
        for (int i = 0; i < 50; i++) {
            SessionRouting.Route route = routing.route("T", required, "E", knowledge);
            assertThat(route.dominating()).containsExactlyInAnyOrder("A", "D");
            assertThat(route.lastReplica()).isEqualTo("E");
            assertThat(route.rest()).containsExactly("C", "B");
            assertThat(route.order()).hasSize(5).endsWith("E", "C", "B");
        }
    }

    @Test
    void theLastReplicaAppearsOnceAndOnlyIfItIsAReplica() {
        ReplicaKnowledge knowledge = new ReplicaKnowledge();
        knowledge.learn("B", "T", clock(1, 0, 0));
        SessionRouting routing = new SessionRouting(ABC, new Random(3));
        assertThat(routing.route("T", clock(1, 0, 0), "B", knowledge))
                .satisfies(r -> {
                    assertThat(r.dominating()).containsExactly("B");
                    assertThat(r.lastReplica()).isNull();
                    assertThat(r.order()).hasSize(3).startsWith("B");
                });
        assertThat(routing.route("T", clock(1, 0, 0), "Z", knowledge).order()).containsExactlyInAnyOrder("A", "B", "C");
        // router restarted, knows nothing: the last replica first
        assertThat(routing.order("T", clock(1, 0, 0), "C", new ReplicaKnowledge())).startsWith("C").hasSize(3);
    }

    @Test
    void theSameSeedGivesTheSameOrders() {
        ReplicaKnowledge knowledge = new ReplicaKnowledge();
        SessionRouting one = new SessionRouting(ABC, new Random(42));
        SessionRouting two = new SessionRouting(ABC, new Random(42));
        for (int i = 0; i < 20; i++) {
            assertThat(one.order("T", VectorClock.empty(), null, knowledge))
                    .isEqualTo(two.order("T", VectorClock.empty(), null, knowledge));
        }
    }

    @Test
    void knowledgeOnlyGrowsSoALateOlderReplyDoesNotLowerIt() {
        ReplicaKnowledge knowledge = new ReplicaKnowledge();
        knowledge.learn(Reply.success(CommandKind.GetNumberRebelds, "T", "c", "A", clock(3, 1, 0), 1L));
        knowledge.learn(Reply.failure(CommandKind.GetNumberRebelds, "T", "c", "A", clock(2, 2, 0), ErrorCode.STALE, "x"));
        knowledge.learn(Reply.failure(CommandKind.AddCity, "T", "c", null, null, ErrorCode.INVALID_ARGUMENT, "x"));
        assertThat(knowledge.knownClock("A", "T")).isEqualTo(clock(3, 2, 0));
        assertThat(knowledge.knownToDominate("A", "T", clock(3, 2, 0))).isTrue();
        assertThat(knowledge.knownClock("B", "T")).isEqualTo(VectorClock.empty());
        knowledge.learnStatus("B", Map.of("T", clock(0, 4, 0), "Hoth", clock(0, 1, 0)));
        assertThat(knowledge.snapshot().get("B")).containsOnlyKeys("Hoth", "T");
        knowledge.forget("B");
        assertThat(knowledge.snapshot()).containsOnlyKeys("A");
    }

    @Test
    void noReplicasIsAnError() {
        assertThatThrownBy(() -> new SessionRouting(List.of(), new Random())).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Why the router must not use the applied-sequence vector against a planet clock: A's first two
     * writes are on Hoth, its third on Tatooine. B merged the two Hoth writes, so B's applied vector
     * {A:2} "dominates" the session's Tatooine clock {A:1}, yet B does not have the session's write.
     */
    @Test
    void appliedSequenceVectorsDoNotMeasurePlanetClocks() {
        TestReplica a = new TestReplica("A", ABC);
        TestReplica b = new TestReplica("B", ABC);
        a.execute("1", Command.addCity("Hoth", "Echo", 1));
        a.execute("2", Command.updateNumber("Hoth", "Echo", 2));
        Reply t1 = a.execute("3", Command.addCity("Tatooine", "Mos", 3));
        SessionState session = SessionState.empty().observe(t1);
        VectorClock required = session.requiredClock("Tatooine");
        assertThat(required.get("A")).isEqualTo(1);

        b.merge(a.store().allOperations().subList(0, 2));
        assertThat(VectorClock.of(b.applied()).dominates(required)).as("unsound test").isTrue();
        assertThat(b.node().clockOf("Tatooine").dominates(required)).as("sound test").isFalse();
        Reply bRead = b.execute("4", Command.getNumberRebelds("Tatooine", "Mos"));
        assertThat(bRead.errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
        assertThat(session.check(bRead).code()).isEqualTo(ErrorCode.STALE);

        // the planet-clock knowledge learned from B's replies never claims B dominates
        ReplicaKnowledge knowledge = new ReplicaKnowledge();
        knowledge.learn(bRead);
        assertThat(knowledge.knownToDominate("B", "Tatooine", required)).isFalse();
        knowledge.learn(t1);
        assertThat(new SessionRouting(ABC, new Random(0)).order("Tatooine", required, "A", knowledge))
                .startsWith("A");
    }
}
