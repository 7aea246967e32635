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
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.WriteRouting;
import fulcrum.testkit.JvmProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The router against a real broker: forwarding, confirms before acks, poison messages. */
class RouterTest {
    @TempDir
    Path tmp;

    @RegisterExtension
    final BrokerSide broker = new BrokerSide();

    @Test
    void forwardsKeepingIdAndTypeThenRelaysTheReplicasReplyToTheClient() throws Exception {
        try (Router router = broker.startRouter()) {
            broker.publish("cmd-1", CommandKind.AddCity, CommandCodec.encode(Command.addCity("Tatooine", "Mos_Espa", 5)));
            GetResponse forwarded = broker.awaitForwarded();
            assertThat(forwarded.getProps().getMessageId()).isEqualTo("cmd-1");
            assertThat(forwarded.getProps().getType()).isEqualTo("AddCity");
            assertThat(forwarded.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(CommandCodec.decode(forwarded.getBody(), forwarded.getProps().getType()))
                    .isEqualTo(Command.addCity("Tatooine", "Mos_Espa", 5));
            String replica = forwarded.getEnvelope().getRoutingKey();
            Reply ok = Reply.success(CommandKind.AddCity, "Tatooine", "Mos_Espa", replica, clock(replica, 1), null);
            broker.answerAsReplica(forwarded, ok);
            AMQP.BasicProperties props = broker.replyProps.poll(10, TimeUnit.SECONDS);
            assertThat(props).as("relayed reply").isNotNull();
            assertThat(props.getCorrelationId()).isEqualTo("cmd-1");
            assertThat(ReplyCodec.decode(broker.replies.take())).isEqualTo(ok);
        }
        assertAllAcked();
    }

    @Test
    void aStaleAnswerIsRetriedAtAnotherReplicaAndOnlyTheFinalAnswerIsRelayed() throws Exception {
        try (Router router = broker.startRouter()) {
            VectorClock required = clock("fulcrum-2", 1);
            broker.publish("needs-2", CommandKind.UpdateNumber,
                    CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 3), required, "fulcrum-2"));
            GetResponse first = broker.awaitForwarded();
            assertThat(first.getEnvelope().getRoutingKey()).as("the session's last replica first").isEqualTo("fulcrum-2");
            broker.answerAsReplica(first, Reply.failure(CommandKind.UpdateNumber, "Hoth", "Echo", "fulcrum-2",
                    VectorClock.zero(REPLICAS), ErrorCode.STALE, "fulcrum-2 lost its data"));
            GetResponse second = broker.awaitForwarded();
            assertThat(second.getProps().getMessageId()).isEqualTo("needs-2");
            assertThat(second.getEnvelope().getRoutingKey()).isNotEqualTo("fulcrum-2");
            assertThat(broker.replies).as("nothing relayed while another replica can still answer").isEmpty();
            String replica = second.getEnvelope().getRoutingKey();
            Reply ok = Reply.success(CommandKind.UpdateNumber, "Hoth", "Echo", replica, clock("fulcrum-2", 1).merge(clock(replica, 1)), null);
            broker.answerAsReplica(second, ok);
            assertThat(broker.awaitReply()).isEqualTo(ok);

            // The router learned that replica's clock: the next query needing it goes there first,
            // even though the session names fulcrum-2 as its last replica.
            broker.publish("read", CommandKind.GetNumberRebelds,
                    CommandCodec.encode(Command.getNumberRebelds("Hoth", "Echo"), ok.clock(), "fulcrum-2"));
            assertThat(broker.awaitForwarded().getEnvelope().getRoutingKey()).isEqualTo(replica);
        }
    }

    @Test
    void everyAttemptOfAWriteWalksTheSameOrderWhateverTheRouterLearntOrForgot() throws Exception {
        List<String> expected = new WriteRouting(REPLICAS).order("w-1", null);
        byte[] body = CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 3), null, null);
        try (Router router = broker.startRouter()) {
            // teach the router that the last replica of the order holds everything on Hoth
            String last = expected.get(2);
            broker.publish("teach", CommandKind.GetNumberRebelds, CommandCodec.encode(Command.getNumberRebelds("Hoth", "Echo")));
            GetResponse query = broker.awaitForwarded();
            broker.answerAsReplica(query, Reply.success(CommandKind.GetNumberRebelds, "Hoth", "Echo", last, clock(last, 9), 1L));
            broker.awaitReply();

            broker.publish("w-1", CommandKind.UpdateNumber, body);
            GetResponse first = broker.awaitForwarded();
            assertThat(first.getEnvelope().getRoutingKey()).isEqualTo(expected.get(0));
            broker.answerAsReplica(first, Reply.failure(CommandKind.UpdateNumber, "Hoth", "Echo", expected.get(0),
                    VectorClock.zero(REPLICAS), ErrorCode.STALE, "behind"));
            assertThat(broker.awaitForwarded().getEnvelope().getRoutingKey()).isEqualTo(expected.get(1));
        }
        // A fresh router (knowledge lost) gets a re-send of the same id: same order again.
        try (Router router = broker.startRouter()) {
            broker.publish("w-1", CommandKind.UpdateNumber, body);
            assertThat(broker.awaitForwarded().getEnvelope().getRoutingKey()).isEqualTo(expected.get(0));
        }
    }

    @Test
    void queriesAreForwardedToo() throws Exception {
        try (Router router = broker.startRouter()) {
            broker.publish("q-1", CommandKind.GetNumberRebelds, CommandCodec.encode(Command.getNumberRebelds("Tatooine", "Mos_Espa")));
            assertThat(broker.awaitForwarded().getProps().getMessageId()).isEqualTo("q-1");
        }
    }

    @Test
    void poisonMessagesAreAnsweredAndDeadLetteredAndTheQueueKeepsFlowing() throws Exception {
        try (Router router = broker.startRouter()) {
            broker.publish("bad-json", CommandKind.AddCity, "{not json".getBytes(StandardCharsets.UTF_8));
            broker.publish("bad-type", CommandKind.AddCity,
                    "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":\"many\"}".getBytes(StandardCharsets.UTF_8));
            broker.publish("bad-op", null, "{\"command\":\"Explode\",\"planet\":\"T\",\"city\":\"C\"}".getBytes(StandardCharsets.UTF_8));
            // no AMQP type: the refusal still names the command, from the body
            broker.publish("bad-name", null,
                    "{\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"two words\"}".getBytes(StandardCharsets.UTF_8));
            broker.publish("good", CommandKind.DeleteCity, CommandCodec.encode(Command.deleteCity("Tatooine", "Mos_Espa")));

            List<String> refusals = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Reply reply = broker.awaitReply();
                assertThat(reply.ok()).isFalse();
                refusals.add(reply.errorCode() + " " + reply.command());
            }
            assertThat(refusals).containsExactlyInAnyOrder("BAD_MESSAGE null", "BAD_MESSAGE AddCity",
                    "UNKNOWN_COMMAND null", "INVALID_ARGUMENT DeleteCity");
            assertThat(broker.awaitForwarded().getProps().getMessageId()).isEqualTo("good");
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.depth(Topology.DEAD_LETTER_QUEUE) == 4);
            GetResponse dead = broker.channel.basicGet(Topology.DEAD_LETTER_QUEUE, true);
            Map<String, Object> headers = dead.getProps().getHeaders();
            assertThat(headers.get(Amqp.HEADER_ERROR_REASON).toString()).isNotBlank();
            assertThat(headers.get(Amqp.HEADER_SOURCE_QUEUE).toString()).isEqualTo(Topology.ROUTER_COMMANDS);
        }
        assertAllAcked();
    }

    @Test
    void aRouterKilledAfterForwardingBeforeAckingLosesNothing() throws Exception {
        Map<String, String> crash = Map.of("FULCRUM_CRASH_POINT", CrashPoints.ROUTER_AFTER_FORWARD_BEFORE_ACK);
        List<String> args = List.of("--uri", broker.uri, "--batch-max", "1");
        try (JvmProcess first = JvmProcess.start("router-crash", tmp, crash, RouterMain.class.getName(), args)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> first.output().contains("READY"));
            broker.publish("survivor", CommandKind.UpdateNumber, CommandCodec.encode(Command.updateNumber("Tatooine", "Mos_Espa", 9)));
            assertThat(first.awaitExit(60)).as("router halts at the crash point").isTrue();
            assertThat(first.exitCode()).isEqualTo(86);
        }
        // The forward was confirmed but the inbound message was never acked: it is still queued.
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.depth(Topology.ROUTER_COMMANDS) == 1);
        try (JvmProcess second = JvmProcess.start("router-again", tmp, Map.of(), RouterMain.class.getName(), args)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> second.output().contains("READY"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> broker.depth(Topology.ROUTER_COMMANDS) == 0 && broker.totalReplicaDepth() == 2);
        }
        // Two copies with one id: the replica's deduplication turns them into one application.
        List<String> ids = new ArrayList<>();
        for (String replica : REPLICAS) {
            GetResponse r;
            while ((r = broker.channel.basicGet(Topology.replicaCommandQueue(replica), true)) != null) {
                ids.add(r.getProps().getMessageId());
            }
        }
        assertThat(ids).containsExactly("survivor", "survivor");
    }

    /** Called after the router closed: anything it had not acked would be back in the queue. */
    private void assertAllAcked() {
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.depth(Topology.ROUTER_COMMANDS) == 0);
        assertThat(broker.channel.isOpen()).isTrue();
    }
}
