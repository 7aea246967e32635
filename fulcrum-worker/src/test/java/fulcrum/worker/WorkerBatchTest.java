package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.wire.BatchCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several commands in one message ({@code CommandBatch}) through a real worker, broker and store:
 * one answer message for the batch, each command answered under its id, a bad command refused
 * alone, a batch sent again answered from the records, a batch that breaks the format refused
 * whole and dead-lettered.
 */
class WorkerBatchTest {
    @TempDir
    Path dataDir;

    @Test
    void aBatchIsAnsweredInOneMessageCommandByCommand() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            TestClient client = replica.client;
            String batchId = "batch-" + UUID.randomUUID();
            client.sendBatch(batchId, List.of(
                    new BatchCodec.Entry("b-add", Command.addCity("Tatooine", "Mos_Espa", 5), null, null),
                    new BatchCodec.Entry("b-update", Command.updateNumber("Tatooine", "Mos_Espa", 7), null, null),
                    new BatchCodec.Entry("b-missing", Command.deleteCity("Tatooine", "Nowhere"), null, null)));

            assertThat(client.awaitReply("b-add").ok()).isTrue();
            assertThat(client.awaitReply("b-update").ok()).isTrue();
            assertThat(client.awaitReply("b-missing").errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
            assertThat(client.batchAnswers(batchId)).isEqualTo(1);
            assertThat(replica.worker.store.meta().applied("fulcrum-1")).isEqualTo(2);

            client.forget("b-add");
            client.forget("b-update");
            String again = "again-" + UUID.randomUUID();
            client.sendBatch(again, List.of(
                    new BatchCodec.Entry("b-add", Command.addCity("Tatooine", "Mos_Espa", 5), null, null),
                    new BatchCodec.Entry("b-update", Command.updateNumber("Tatooine", "Mos_Espa", 7), null, null)));
            assertThat(client.awaitReply("b-add").ok()).as("answered from its record, not refused as existing").isTrue();
            assertThat(client.awaitReply("b-update").ok()).isTrue();
            assertThat(replica.worker.store.meta().applied("fulcrum-1")).as("nothing applied twice").isEqualTo(2);
            assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(7);
            assertThat(client.deadLetterCount()).isZero();
        }
    }

    @Test
    void aBadCommandOfABatchIsRefusedAloneAndTheBatchIsNotDeadLettered() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            TestClient client = replica.client;
            String batchId = "batch-" + UUID.randomUUID();
            client.sendRaw(client.props(batchId, batchId, BatchCodec.COMMAND_BATCH_TYPE).build(), TestClient.utf8("""
                    {"commands":[{"id":"good","command":"AddCity","planet":"Tatooine","city":"Mos_Espa"},
                                 {"id":"bad","command":"AddCity","planet":"Tatoo ine","city":"Mos_Espa"}]}"""));

            assertThat(client.awaitReply("good").ok()).isTrue();
            Reply bad = client.awaitReply("bad");
            assertThat(bad.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(bad.errorMessage()).contains("white space");
            assertThat(client.deadLetterCount()).isZero();
            assertThat(replica.worker.store.meta().applied("fulcrum-1")).isEqualTo(1);
        }
    }

    @Test
    void aBatchThatBreaksTheFormatIsRefusedWholeAndDeadLettered() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            TestClient client = replica.client;
            String batchId = "batch-" + UUID.randomUUID();
            String body = "{\"commands\":[{\"command\":\"AddCity\",\"planet\":\"Tatooine\",\"city\":\"Mos_Espa\"}]}";
            client.sendRaw(client.props(batchId, batchId, BatchCodec.COMMAND_BATCH_TYPE).build(), TestClient.utf8(body));

            Reply refused = client.awaitReply(batchId);
            assertThat(refused.errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
            assertThat(refused.errorMessage()).contains("'id'");
            GetResponse dead = client.awaitDeadLetter();
            assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo(body);
            assertThat(String.valueOf(dead.getProps().getHeaders().get(Amqp.HEADER_ERROR_CODE))).isEqualTo("BAD_MESSAGE");
            assertThat(replica.worker.store.meta().applied("fulcrum-1")).isZero();
            assertThat(client.call(Command.addCity("Tatooine", "Mos_Espa", 1)).ok()).as("the queue keeps flowing").isTrue();
            Awaitility.await().atMost(TestClient.WAIT).until(() -> client.commandsWaiting() == 0);
        }
    }
}
