package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.MemoryStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Several commands in one delivery: each decided as if alone, all answered by one Ready, one ack. */
class CommandBatchTest {
    static final List<String> IDS = List.of("A", "B", "C");

    private static BatchedCommand valid(String id, Command command) {
        return new BatchedCommand.Valid(id, command, null);
    }

    @Test
    void eachCommandIsAnsweredWithItsIdAndTheDeliveryIsAckedOnce() {
        TestReplica a = new TestReplica("A", IDS);
        Ready ready = a.executeBatch(List.of(
                valid("c1", Command.addCity("Tatooine", "Mos_Espa", 5)),
                valid("c2", Command.updateNumber("Tatooine", "Mos_Espa", 7)),
                new BatchedCommand.Invalid("c3", CommandKind.AddCity, ErrorCode.INVALID_ARGUMENT, "bad name"),
                valid("c4", Command.deleteCity("Tatooine", "Nowhere"))));

        assertThat(ready.acks()).hasSize(1);
        assertThat(ready.deadLetters()).as("the delivery also carried executed commands").isEmpty();
        assertThat(ready.replies()).extracting(Ready.OutboundReply::batchedCommandId).containsExactly("c1", "c2", "c3", "c4");
        assertThat(ready.replies()).extracting(r -> r.address().correlationId()).containsOnly(ready.replies().get(0).address().correlationId());
        assertThat(ready.replies()).extracting(r -> r.reply().ok()).containsExactly(true, true, false, false);
        assertThat(ready.replies().get(2).reply().errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(ready.replies().get(3).reply().errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
        assertThat(ready.commit().operations()).as("the two writes, in the batch's order").hasSize(2);
        assertThat(a.execute("q", Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(7);
    }

    @Test
    void aBatchDeliveredAgainIsAnsweredFromTheRecordsAndAppliesNothing() {
        TestReplica a = new TestReplica("A", IDS);
        List<BatchedCommand> batch = List.of(valid("c1", Command.addCity("Tatooine", "Mos_Espa", 5)),
                valid("c2", Command.updateNumber("Tatooine", "Mos_Espa", 7)));
        Ready first = a.executeBatch(batch);
        String dump = a.dump();

        Ready again = a.executeBatch(batch);

        assertThat(again.commit().operations()).isEmpty();
        assertThat(a.dump()).isEqualTo(dump);
        assertThat(again.replies()).extracting(Ready.OutboundReply::reply)
                .containsExactlyElementsOf(first.replies().stream().map(Ready.OutboundReply::reply).toList());
    }

    @Test
    void aCommandTwiceInOneBatchIsExecutedOnce() {
        TestReplica a = new TestReplica("A", IDS);
        Ready ready = a.executeBatch(List.of(valid("c1", Command.addCity("Tatooine", "Mos_Espa", 5)),
                valid("c1", Command.addCity("Tatooine", "Mos_Espa", 5))));

        assertThat(ready.commit().operations()).hasSize(1);
        assertThat(ready.replies()).extracting(r -> r.reply().ok()).containsExactly(true, true);
        assertThat(ready.replies().get(1).reply()).isEqualTo(ready.replies().get(0).reply());
    }

    @Test
    void aCommandOfTheBatchThatNeedsANewerClockIsRefusedAloneAndTheRefusalIsReplicated() {
        TestReplica a = new TestReplica("A", IDS);
        Ready ready = a.executeBatch(List.of(valid("c1", Command.addCity("Tatooine", "Mos_Espa", 5)),
                new BatchedCommand.Valid("c2", Command.addCity("Tatooine", "Mos_Pelgo", 1), VectorClock.of(Map.of("B", 3L)))));

        Reply refused = ready.replies().get(1).reply();
        assertThat(ready.replies().get(0).reply().ok()).isTrue();
        assertThat(refused.errorCode()).isEqualTo(ErrorCode.STALE);
        assertThat(ready.commit().operations()).extracting(o -> o.kind().name()).containsExactly("AddCity", "Refusal");
    }

    @Test
    void aReplicaThatDoesNotServeYetHandsTheWholeBatchBackOnce() {
        ReplicaNode joining = new ReplicaNode(NodeConfig.defaults("A", IDS, 1, 1), new MemoryStore("A"), 0);
        assertThat(joining.takesCommands()).isFalse();
        joining.onCommandBatch(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, 1), new ReplyAddress("client", "b"),
                List.of(valid("c1", Command.addCity("Tatooine", "Mos_Espa", 5)), valid("c2", Command.addCity("Tatooine", "X", 1))));

        Ready ready = joining.ready();
        assertThat(ready.requeues()).containsExactly(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, 1));
        assertThat(ready.replies()).isEmpty();
        assertThat(ready.acks()).isEmpty();
    }

    @Test
    void anEmptyOrOversizedBatchIsAProgrammingError() {
        TestReplica a = new TestReplica("A", IDS);
        List<BatchedCommand> tooMany = new ArrayList<>(Collections.nCopies(BatchedCommand.MAX_PER_BATCH + 1,
                valid("c", Command.addCity("Tatooine", "Mos_Espa", 5))));
        assertThatThrownBy(() -> a.executeBatch(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.executeBatch(tooMany)).isInstanceOf(IllegalArgumentException.class);
    }
}
