package fulcrum.router;

import static fulcrum.router.BrokerSide.REPLICAS;
import static fulcrum.router.BrokerSide.clock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.WriteRouting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against a real broker: what used to end in silence now ends in an answer. */
class RouterAnswersTest {
    @RegisterExtension
    final BrokerSide broker = new BrokerSide();

    @Test
    void aForwardToAReplicaWithNoQueueIsAnsweredUnavailableAndDeadLettered() throws Exception {
        String first = new WriteRouting(REPLICAS).order("w-lost", null).get(0);
        try (Router router = broker.startRouter()) {
            broker.channel.queueDelete(Topology.replicaCommandQueue(first));
            broker.publish("w-lost", CommandKind.UpdateNumber, CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 3)));

            AMQP.BasicProperties props = broker.replyProps.poll(10, TimeUnit.SECONDS);
            assertThat(props).as("an answer").isNotNull();
            assertThat(props.getCorrelationId()).isEqualTo("w-lost");
            Reply reply = broker.awaitReply();
            assertThat(reply.errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(reply.errorMessage()).contains("no queue is bound for replica " + first);

            await().atMost(Duration.ofSeconds(10)).until(() -> broker.depth(Topology.DEAD_LETTER_QUEUE) == 1);
            GetResponse dead = broker.channel.basicGet(Topology.DEAD_LETTER_QUEUE, true);
            assertThat(dead.getProps().getMessageId()).isEqualTo("w-lost");
            assertThat(dead.getProps().getHeaders().get(Amqp.HEADER_ERROR_CODE).toString()).isEqualTo("UNAVAILABLE");
            assertThat(dead.getProps().getHeaders().get(Amqp.HEADER_SOURCE_QUEUE).toString()).isEqualTo(Topology.ROUTER_COMMANDS);
        }
        // acked once the dead letter was confirmed: nothing came back to the queue when the router closed
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.depth(Topology.ROUTER_COMMANDS) == 0);
    }

    @Test
    void aCommandPushedOutOfTheFullTableIsAnsweredAndItsLateReplyIgnored() throws Exception {
        try (Router router = broker.startRouter(1, Duration.ofMinutes(10))) {
            broker.publish("w-1", CommandKind.UpdateNumber, CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 1)));
            GetResponse evicted = broker.awaitForwarded();
            broker.publish("w-2", CommandKind.UpdateNumber, CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 2)));
            GetResponse kept = broker.awaitForwarded();

            AMQP.BasicProperties props = broker.replyProps.poll(10, TimeUnit.SECONDS);
            assertThat(props).as("the evicted command is answered").isNotNull();
            assertThat(props.getCorrelationId()).isEqualTo("w-1");
            Reply overloaded = broker.awaitReply();
            assertThat(overloaded.errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(overloaded.errorMessage()).contains("router overloaded", "re-send the same command id");

            // The router handles replies in order: were the late one relayed, it would come first.
            String replica1 = evicted.getEnvelope().getRoutingKey();
            broker.answerAsReplica(evicted, Reply.success(CommandKind.UpdateNumber, "Hoth", "Echo", replica1, clock(replica1, 1), null));
            String replica2 = kept.getEnvelope().getRoutingKey();
            Reply ok = Reply.success(CommandKind.UpdateNumber, "Hoth", "Echo", replica2, clock(replica2, 2), null);
            broker.answerAsReplica(kept, ok);
            assertThat(broker.replyProps.poll(10, TimeUnit.SECONDS).getCorrelationId()).isEqualTo("w-2");
            assertThat(broker.awaitReply()).isEqualTo(ok);
        }
    }

    @Test
    void aQueryWhoseReplicaIsSilentIsAskedOfEachInTurnAndTheSilentOneMayStillAnswer() throws Exception {
        try (Router router = broker.startRouter(1000, Duration.ofMillis(300))) {
            broker.publish("q-1", CommandKind.GetNumberRebelds, CommandCodec.encode(Command.getNumberRebelds("Hoth", "Echo")));
            List<GetResponse> forwards = new ArrayList<>();
            for (int i = 0; i < REPLICAS.size(); i++) {
                GetResponse forward = broker.awaitForwarded();
                assertThat(forward.getProps().getMessageId()).isEqualTo("q-1");
                forwards.add(forward);
            }
            assertThat(forwards).extracting(f -> f.getEnvelope().getRoutingKey()).containsExactlyInAnyOrderElementsOf(REPLICAS);

            GetResponse first = forwards.get(0);
            String replica = first.getEnvelope().getRoutingKey();
            Reply late = Reply.success(CommandKind.GetNumberRebelds, "Hoth", "Echo", replica, clock(replica, 1), 4L);
            broker.answerAsReplica(first, late);
            assertThat(broker.awaitReply()).isEqualTo(late);
        }
    }
}
