package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica takes merge and status traffic only from the broker users of the replicas (the AMQP
 * user_id the broker vouched for), and a merge request also from the admin users; anything else is
 * acked, counted and changes nothing.
 */
class PeerAuthenticationTest {
    static final List<String> IDS = List.of("A", "B", "C");
    MemoryStore store;
    ReplicaNode node;
    long tag;

    @BeforeEach
    void serving() {
        store = new MemoryStore("C");
        store.commit(new StoreBatch().putIncarnation(1).putPhase(Phase.SERVING));
        node = new ReplicaNode(NodeConfig.defaults("C", IDS, 1, 1)
                .withPeerAuthentication(PeerAuthentication.of(Set.of("user-a", "user-b", "user-c"), Set.of("admin"))),
                store, 0);
    }

    static Delta deltaOfB() {
        Operation op = new Operation("B", 1, 1, "Tatooine", OpKind.AddCity, Operation.cityIdOf("B", 1), "Mos_Espa", 5L,
                VectorClock.of(Map.of("A", 0L, "B", 1L, "C", 0L)), "b1");
        return new Delta("B", List.of(op));
    }

    Ready deliver(String sender, PeerMessage message) {
        node.tick(++tag);
        node.onPeerMessage(new DeliveryRef(DeliveryRef.Source.MERGE, 0, tag), sender, message);
        Ready ready = node.ready();
        if (ready != null) {
            store.commit(ready.commit());
            node.advance(ready, true);
        }
        return ready;
    }

    @Test
    void aDeltaFromAReplicaUserIsTaken() {
        deliver("user-b", deltaOfB());
        assertThat(node.applied()).containsEntry("B", 1L);
        assertThat(node.refusedSenders()).isEmpty();
    }

    @Test
    void aDeltaWithoutUserIdOrFromAnotherUserIsAckedAndChangesNothing() {
        Ready missing = deliver(null, deltaOfB());
        Ready foreign = deliver("informant", deltaOfB());
        Ready again = deliver("informant", deltaOfB());

        assertThat(node.applied().getOrDefault("B", 0L)).isZero();
        assertThat(store.allOperations()).isEmpty();
        for (Ready r : List.of(missing, foreign, again)) {
            assertThat(r.acks()).as("refused, never redelivered").hasSize(1);
            assertThat(r.deadLetters()).as("a flood of forgeries does not fill the dead-letter queue").isEmpty();
        }
        assertThat(missing.notes()).anySatisfy(n -> assertThat(n).contains("without user_id"));
        assertThat(foreign.notes()).anySatisfy(n -> assertThat(n).contains("'informant'"));
        assertThat(again.notes()).as("noted once per sender").noneMatch(n -> n.contains("informant"));
        assertThat(node.refusedSenders()).isEqualTo(Map.of("", 1L, "informant", 2L));
    }

    @Test
    void anAdminUserMayAskForAMergeRoundButNotSendEntries() {
        assertThat(deliver("admin", new MergeNow("m1")).notes()).noneMatch(n -> n.startsWith("refused"));
        deliver("admin", deltaOfB());
        assertThat(node.applied().getOrDefault("B", 0L)).isZero();
        assertThat(node.refusedSenders()).isEqualTo(Map.of("admin", 1L));
    }

    @Test
    void theRuleItself() {
        PeerAuthentication auth = PeerAuthentication.of(Set.of("fulcrum-1"), Set.of("fulcrum-admin"));
        assertThat(auth.refusal("fulcrum-1", deltaOfB())).isNull();
        assertThat(auth.refusal("fulcrum-admin", new MergeNow("x"))).isNull();
        assertThat(auth.refusal("leia", new MergeNow("x"))).contains("no replica or admin user");
        assertThat(auth.refusal("", deltaOfB())).contains("without user_id");
        assertThat(PeerAuthentication.OFF.refusal(null, deltaOfB())).isNull();
    }
}
