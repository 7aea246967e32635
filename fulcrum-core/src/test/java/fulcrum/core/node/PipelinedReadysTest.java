package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.domain.Command;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's side of the worker's pipeline: a second Ready handed out while the first is still
 * being committed and published, both advanced in order; and the first failing after its commit
 * while the second is already executed (and committed).
 */
class PipelinedReadysTest {
    private static final List<String> IDS = List.of("A", "B", "C");

    private MemoryStore store;
    private ReplicaNode node;
    private long tag;

    @BeforeEach
    void servingReplica() {
        store = new MemoryStore("A");
        store.commit(new StoreBatch().putIncarnation(1).putPhase(Phase.SERVING));
        node = new ReplicaNode(NodeConfig.defaults("A", IDS, 1, 1).withReplication(NodeConfig.Replication.EAGER), store, 0);
    }

    private DeliveryRef command(String commandId, Command command) {
        DeliveryRef ref = new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, ++tag);
        node.onCommand(ref, new ReplyAddress("client", commandId), commandId, command, null);
        return ref;
    }

    private static List<Long> publishedSeqs(Ready ready) {
        return ready.messages().stream().map(Ready.Outbound::message).filter(m -> m instanceof Delta)
                .flatMap(m -> ((Delta) m).operations().stream()).map(Operation::originSeq).toList();
    }

    @Test
    void aSecondReadyIsExecutedOverTheFirstsUncommittedBatchAndPublishesOnlyItsOwnEntries() {
        command("c1", Command.addCity("Tatooine", "MosEisley", 1));
        Ready first = node.ready();
        DeliveryRef second = command("c2", Command.updateNumber("Tatooine", "MosEisley", 2));
        Ready next = node.ready();

        assertThat(next.replies()).singleElement().satisfies(r -> assertThat(r.reply().ok())
                .as("the city of the uncommitted first batch is seen").isTrue());
        assertThat(publishedSeqs(first)).containsExactly(1L);
        assertThat(publishedSeqs(next)).as("entry #1 is in flight with the first Ready").containsExactly(2L);
        assertThat(next.acks()).containsExactly(second);

        store.commit(first.commit());
        store.commit(next.commit());
        assertThat(node.deliverable(next)).isTrue();
        node.advance(first, true);
        node.advance(next, true);
        assertThat(node.published()).isEqualTo(2);
        assertThat(store.allOperations()).extracting(Operation::originSeq).containsExactly(1L, 2L);
    }

    @Test
    void readysAreAdvancedOnlyInTheOrderTheyWereHandedOut() {
        command("c1", Command.addCity("Tatooine", "MosEisley", 1));
        Ready first = node.ready();
        command("c2", Command.updateNumber("Tatooine", "MosEisley", 2));
        Ready next = node.ready();
        store.commit(first.commit());
        store.commit(next.commit());

        assertThatThrownBy(() -> node.advance(next, true)).isInstanceOf(IllegalStateException.class);
        node.advance(first, true);
        node.advance(next, true);
        assertThat(node.published()).isEqualTo(2);
    }

    @Test
    void whenTheFirstFailsAfterItsCommitTheExecutedSecondIsHandedBackAndNothingIsLostOrDoubled() {
        command("c1", Command.addCity("Tatooine", "MosEisley", 1));
        Ready first = node.ready();
        command("c2", Command.updateNumber("Tatooine", "MosEisley", 2));
        Ready next = node.ready();
        store.commit(first.commit());
        store.commit(next.commit()); // the second's commit may finish before the first's confirms fail

        node.advance(first, false); // its publication failed: its acks requeued, nothing answered
        assertThat(node.deliverable(next)).as("its answers rest on the first's unconfirmed entry").isFalse();
        assertThatThrownBy(() -> node.advance(next, true)).isInstanceOf(IllegalStateException.class);
        node.advance(next, false);
        assertThat(node.published()).as("nothing confirmed").isZero();

        // the broker delivers both commands again
        command("c1", Command.addCity("Tatooine", "MosEisley", 1));
        command("c2", Command.updateNumber("Tatooine", "MosEisley", 2));
        Ready again = node.ready();
        assertThat(node.deliverable(again)).isTrue();
        assertThat(again.commit().operations()).as("nothing applied twice").isEmpty();
        assertThat(publishedSeqs(again)).as("everything not confirmed is published again").containsExactly(1L, 2L);
        assertThat(again.replies()).hasSize(2).allSatisfy(r -> assertThat(r.reply().ok()).isTrue());
        store.commit(again.commit());
        node.advance(again, true);

        assertThat(node.published()).isEqualTo(2);
        assertThat(node.stats().executed()).isEqualTo(2);
        assertThat(node.stats().answeredFromRecord()).isEqualTo(2);
        assertThat(store.allOperations()).extracting(Operation::originSeq).containsExactly(1L, 2L);
        assertThat(store.planetClock("Tatooine").get("A")).isEqualTo(2);
    }

    @Test
    void handingBackAnUndeliverableReadyDoesNotPoisonTheReadysHandedOutAfterTheFailure() {
        command("c1", Command.addCity("Tatooine", "MosEisley", 1));
        Ready first = node.ready();
        command("c2", Command.updateNumber("Tatooine", "MosEisley", 2));
        Ready second = node.ready();
        store.commit(first.commit());
        node.advance(first, false);
        command("c3", Command.updateNumber("Tatooine", "MosEisley", 3));
        Ready third = node.ready(); // handed out after the failure, while the second is still in flight
        assertThat(publishedSeqs(third)).as("everything since the confirmed mark").containsExactly(1L, 2L, 3L);

        store.commit(second.commit());
        node.advance(second, false);
        assertThat(node.deliverable(third)).as("else a busy pipeline would hand back forever").isTrue();
        store.commit(third.commit());
        node.advance(third, true);
        assertThat(node.published()).isEqualTo(3);
    }

    @Test
    void aReadyHandedOutAfterTheFailedOnesWereAdvancedIsDeliverable() {
        command("c1", Command.addCity("Tatooine", "MosEisley", 1));
        Ready first = node.ready();
        store.commit(first.commit());
        node.advance(first, false);

        command("c2", Command.updateNumber("Tatooine", "MosEisley", 2));
        Ready next = node.ready();
        assertThat(node.deliverable(next)).isTrue();
        assertThat(publishedSeqs(next)).containsExactly(1L, 2L);
        store.commit(next.commit());
        node.advance(next, true);
        assertThat(node.published()).isEqualTo(2);
    }
}
