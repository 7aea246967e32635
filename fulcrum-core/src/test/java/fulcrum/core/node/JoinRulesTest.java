package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a joining replica may conclude that the cluster is new, and when it must wait. */
class JoinRulesTest {
    static final List<String> IDS = List.of("A", "B", "C");

    private static String requestIdOf(Ready ready) {
        return ready.messages().stream().map(Ready.Outbound::message).filter(m -> m instanceof JoinRequest)
                .map(m -> ((JoinRequest) m).requestId()).findFirst().orElseThrow();
    }

    private static Ready feed(ReplicaNode node, MemoryStore store, PeerMessage m, long tag) {
        node.onPeerMessage(new DeliveryRef(DeliveryRef.Source.MERGE, 0, tag), m);
        Ready r = node.ready();
        store.commit(r.commit());
        node.advance(r, true);
        return r;
    }

    @Test
    void aNewStoreWhosePeersAreAllEmptyJoinsANewCluster() {
        MemoryStore store = new MemoryStore("A");
        ReplicaNode node = new ReplicaNode(NodeConfig.defaults("A", IDS, 7, 1), store, 0);
        Ready first = node.ready();
        store.commit(first.commit());
        node.advance(first, true);
        String id = requestIdOf(first);
        feed(node, store, new JoinOffer("B", "A", id, Phase.JOINING, Map.of(), Map.of(), 0), 1);
        assertThat(node.serving()).as("one peer has not answered").isFalse();
        feed(node, store, new JoinOffer("C", "A", id, Phase.JOINING, Map.of(), Map.of(), 0), 2);
        assertThat(node.serving()).isTrue();
    }

    @Test
    void aStoreWhoseOpLogWasCompactedNeverStartsOverFromOpLogsAndWaitsForAPeerWithData() {
        MemoryStore store = new MemoryStore("A");
        // what a rejoining replica keeps across the clear of its state: its op log and its floors
        store.commit(new StoreBatch().putIncarnation(7).putPhase(Phase.JOINING).putAppliedSeq("B", 3).compact("B", 2)
                .putIncarnationStart("B", new IncarnationStart(11, 1)));
        ReplicaNode node = new ReplicaNode(NodeConfig.defaults("A", IDS, 7, 1), store, 0);
        Ready first = node.ready();
        store.commit(first.commit());
        node.advance(first, true);
        String id = requestIdOf(first);
        feed(node, store, new JoinOffer("B", "A", id, Phase.JOINING, Map.of(), Map.of(), 0), 1);
        feed(node, store, new JoinOffer("C", "A", id, Phase.JOINING, Map.of(), Map.of(), 0), 2);
        assertThat(node.serving()).as("every peer empty, yet entries were compacted: their effects live only in a state")
                .isFalse();
        assertThat(node.stats().join().stage()).isEqualTo("asking");
    }

    @Test
    void aJoiningReplicaReadsItsOwnDeltasBack() {
        MemoryStore store = new MemoryStore("A");
        ReplicaNode node = new ReplicaNode(NodeConfig.defaults("A", IDS, 7, 1), store, 0);
        assertThat(node.serving()).isFalse();
        assertThat(node.onOwnDeltaEcho(new DeliveryRef(DeliveryRef.Source.MERGE, 0, 1)))
                .as("a replica that lost its disk takes its own entries back: it must decode them").isFalse();
    }
}
