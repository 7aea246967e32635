package fulcrum.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
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
import fulcrum.core.session.SessionRouting;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router against a real broker: forwarding, confirms before acks, poison messages. */
class RouterTest {
    private static final List<String> REPLICAS = Topology.replicaIds(3);

    @TempDir
    Path tmp;

    private String uri;
    private Connection connection;
    private Channel channel;
    private String replyQueue;
    private final BlockingQueue<AMQP.BasicProperties> replyProps = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();

    @BeforeEach
    void connect() throws Exception {
        uri = TestBroker.freshVirtualHost("router");
        connection = Amqp.connect(uri, "router-test", Duration.ofSeconds(10));
        channel = connection.createChannel();
        Topology.declare(channel, REPLICAS);
        replyQueue = channel.queueDeclare().getQueue();
        channel.basicConsume(replyQueue, true, (tag, d) -> {
            replyProps.add(d.getProperties());
            replies.add(d.getBody());
        }, tag -> { });
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
    }

    @Test
    void forwardsKeepingIdAndTypeThenRelaysTheReplicasReplyToTheClient() throws Exception {
        try (Router router = startRouter()) {
            publish("cmd-1", CommandKind.AddCity, CommandCodec.encode(Command.addCity("Tatooine", "Mos_Espa", 5)));
            GetResponse forwarded = awaitForwarded();
            assertThat(forwarded.getProps().getMessageId()).isEqualTo("cmd-1");
            assertThat(forwarded.getProps().getType()).isEqualTo("AddCity");
            assertThat(forwarded.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(CommandCodec.decode(forwarded.getBody(), forwarded.getProps().getType()))
                    .isEqualTo(Command.addCity("Tatooine", "Mos_Espa", 5));
            String replica = forwarded.getEnvelope().getRoutingKey();
            Reply ok = Reply.success(CommandKind.AddCity, "Tatooine", "Mos_Espa", replica, clock(replica, 1), null);
            answerAsReplica(forwarded, ok);
            AMQP.BasicProperties props = replyProps.poll(10, TimeUnit.SECONDS);
            assertThat(props).as("relayed reply").isNotNull();
            assertThat(props.getCorrelationId()).isEqualTo("cmd-1");
            assertThat(ReplyCodec.decode(replies.take())).isEqualTo(ok);
        }
        assertAllAcked();
    }

    @Test
    void aStaleAnswerIsRetriedAtAnotherReplicaAndOnlyTheFinalAnswerIsRelayed() throws Exception {
        try (Router router = startRouter()) {
            VectorClock required = clock("fulcrum-2", 1);
            channel.basicPublish("", Topology.ROUTER_COMMANDS, true,
                    Amqp.commandProperties("needs-2", CommandKind.UpdateNumber, replyQueue),
                    CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 3), required, "fulcrum-2"));
            GetResponse first = awaitForwarded();
            assertThat(first.getEnvelope().getRoutingKey()).as("the session's last replica first").isEqualTo("fulcrum-2");
            answerAsReplica(first, Reply.failure(CommandKind.UpdateNumber, "Hoth", "Echo", "fulcrum-2",
                    VectorClock.zero(REPLICAS), ErrorCode.STALE, "fulcrum-2 lost its data"));
            GetResponse second = awaitForwarded();
            assertThat(second.getProps().getMessageId()).isEqualTo("needs-2");
            assertThat(second.getEnvelope().getRoutingKey()).isNotEqualTo("fulcrum-2");
            assertThat(replies).as("nothing relayed while another replica can still answer").isEmpty();
            String replica = second.getEnvelope().getRoutingKey();
            Reply ok = Reply.success(CommandKind.UpdateNumber, "Hoth", "Echo", replica, clock("fulcrum-2", 1).merge(clock(replica, 1)), null);
            answerAsReplica(second, ok);
            assertThat(ReplyCodec.decode(replies.poll(10, TimeUnit.SECONDS))).isEqualTo(ok);

            // The router learned that replica's clock: the next query needing it goes there first,
            // even though the session names fulcrum-2 as its last replica.
            channel.basicPublish("", Topology.ROUTER_QUERIES, true,
                    Amqp.commandProperties("read", CommandKind.GetNumberRebelds, replyQueue),
                    CommandCodec.encode(Command.getNumberRebelds("Hoth", "Echo"), ok.clock(), "fulcrum-2"));
            assertThat(awaitForwarded().getEnvelope().getRoutingKey()).isEqualTo(replica);
        }
    }

    @Test
    void everyAttemptOfAWriteWalksTheSameOrderWhateverTheRouterLearntOrForgot() throws Exception {
        List<String> expected = new WriteRouting(REPLICAS).order("w-1", null);
        byte[] body = CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 3), null, null);
        try (Router router = startRouter()) {
            // teach the router that the last replica of the order holds everything on Hoth
            String last = expected.get(2);
            channel.basicPublish("", Topology.ROUTER_QUERIES, true,
                    Amqp.commandProperties("teach", CommandKind.GetNumberRebelds, replyQueue),
                    CommandCodec.encode(Command.getNumberRebelds("Hoth", "Echo"), null, null));
            GetResponse query = awaitForwarded();
            answerAsReplica(query, Reply.success(CommandKind.GetNumberRebelds, "Hoth", "Echo", last, clock(last, 9), 1L));
            replies.poll(10, TimeUnit.SECONDS);

            publish("w-1", CommandKind.UpdateNumber, body);
            GetResponse first = awaitForwarded();
            assertThat(first.getEnvelope().getRoutingKey()).isEqualTo(expected.get(0));
            answerAsReplica(first, Reply.failure(CommandKind.UpdateNumber, "Hoth", "Echo", expected.get(0),
                    VectorClock.zero(REPLICAS), ErrorCode.STALE, "behind"));
            assertThat(awaitForwarded().getEnvelope().getRoutingKey()).isEqualTo(expected.get(1));
        }
        // A fresh router (knowledge lost) gets a re-send of the same id: same order again.
        try (Router router = startRouter()) {
            publish("w-1", CommandKind.UpdateNumber, body);
            assertThat(awaitForwarded().getEnvelope().getRoutingKey()).isEqualTo(expected.get(0));
        }
    }

    private void answerAsReplica(GetResponse forwarded, Reply reply) throws Exception {
        channel.basicPublish("", forwarded.getProps().getReplyTo(), false,
                Amqp.replyProperties(forwarded.getProps().getCorrelationId(), reply.command().name()), ReplyCodec.encode(reply));
    }

    private static VectorClock clock(String replica, long value) {
        return VectorClock.zero(REPLICAS).merge(VectorClock.of(Map.of(replica, value)));
    }

    @Test
    void queriesAreForwardedToo() throws Exception {
        try (Router router = startRouter()) {
            AMQP.BasicProperties props = Amqp.commandProperties("q-1", CommandKind.GetNumberRebelds, replyQueue);
            channel.basicPublish("", Topology.ROUTER_QUERIES, true, props,
                    CommandCodec.encode(Command.getNumberRebelds("Tatooine", "Mos_Espa")));
            assertThat(awaitForwarded().getProps().getMessageId()).isEqualTo("q-1");
        }
    }

    @Test
    void poisonMessagesAreAnsweredAndDeadLetteredAndTheQueueKeepsFlowing() throws Exception {
        try (Router router = startRouter()) {
            publish("bad-json", CommandKind.AddCity, "{not json".getBytes(StandardCharsets.UTF_8));
            publish("bad-type", CommandKind.AddCity,
                    "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":\"many\"}".getBytes(StandardCharsets.UTF_8));
            publish("bad-op", null, "{\"command\":\"Explode\",\"planet\":\"T\",\"city\":\"C\"}".getBytes(StandardCharsets.UTF_8));
            publish("bad-name", CommandKind.DeleteCity,
                    "{\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"two words\"}".getBytes(StandardCharsets.UTF_8));
            publish("good", CommandKind.DeleteCity, CommandCodec.encode(Command.deleteCity("Tatooine", "Mos_Espa")));

            List<ErrorCode> codes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] body = replies.poll(10, TimeUnit.SECONDS);
                assertThat(body).as("error reply %d", i).isNotNull();
                Reply reply = ReplyCodec.decode(body);
                assertThat(reply.ok()).isFalse();
                codes.add(reply.errorCode());
            }
            assertThat(codes).containsExactlyInAnyOrder(ErrorCode.BAD_MESSAGE, ErrorCode.BAD_MESSAGE,
                    ErrorCode.UNKNOWN_COMMAND, ErrorCode.INVALID_ARGUMENT);
            assertThat(awaitForwarded().getProps().getMessageId()).isEqualTo("good");
            await().atMost(Duration.ofSeconds(10)).until(() -> depth(Topology.DEAD_LETTER_QUEUE) == 4);
            GetResponse dead = channel.basicGet(Topology.DEAD_LETTER_QUEUE, true);
            Map<String, Object> headers = dead.getProps().getHeaders();
            assertThat(headers.get(Amqp.HEADER_ERROR_REASON).toString()).isNotBlank();
            assertThat(headers.get(Amqp.HEADER_SOURCE_QUEUE).toString()).isEqualTo(Topology.ROUTER_COMMANDS);
        }
        assertAllAcked();
    }

    @Test
    void aRouterKilledAfterForwardingBeforeAckingLosesNothing() throws Exception {
        Map<String, String> crash = Map.of("FULCRUM_CRASH_POINT", CrashPoints.ROUTER_AFTER_FORWARD_BEFORE_ACK);
        List<String> args = List.of("--uri", uri, "--batch-max", "1");
        try (JvmProcess first = JvmProcess.start("router-crash", tmp, crash, RouterMain.class.getName(), args)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> first.output().contains("READY"));
            publish("survivor", CommandKind.UpdateNumber, CommandCodec.encode(Command.updateNumber("Tatooine", "Mos_Espa", 9)));
            assertThat(first.awaitExit(60)).as("router halts at the crash point").isTrue();
            assertThat(first.exitCode()).isEqualTo(86);
        }
        // The forward was confirmed but the inbound message was never acked: it is still queued.
        await().atMost(Duration.ofSeconds(20)).until(() -> depth(Topology.ROUTER_COMMANDS) == 1);
        try (JvmProcess second = JvmProcess.start("router-again", tmp, Map.of(), RouterMain.class.getName(), args)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> second.output().contains("READY"));
            await().atMost(Duration.ofSeconds(20)).until(() -> depth(Topology.ROUTER_COMMANDS) == 0 && totalReplicaDepth() == 2);
        }
        // Two copies with one id: the replica's deduplication turns them into one application.
        List<String> ids = new ArrayList<>();
        for (String replica : REPLICAS) {
            GetResponse r;
            while ((r = channel.basicGet(Topology.replicaCommandQueue(replica), true)) != null) {
                ids.add(r.getProps().getMessageId());
            }
        }
        assertThat(ids).containsExactly("survivor", "survivor");
    }

    private Router startRouter() throws Exception {
        Router router = new Router(uri, "mos-eisley-test", REPLICAS, new SessionRouting(REPLICAS, new Random(7)), 16, 8);
        router.start(Duration.ofSeconds(10));
        return router;
    }

    private void publish(String id, CommandKind kind, byte[] body) throws Exception {
        channel.basicPublish("", Topology.ROUTER_COMMANDS, true, Amqp.commandProperties(id, kind, replyQueue), body);
    }

    private GetResponse awaitForwarded() {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (String replica : REPLICAS) {
                GetResponse r = channel.basicGet(Topology.replicaCommandQueue(replica), true);
                if (r != null) {
                    return r;
                }
            }
            return null;
        }, r -> r != null);
    }

    private long depth(String queue) throws Exception {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    private long totalReplicaDepth() throws Exception {
        long total = 0;
        for (String replica : REPLICAS) {
            total += depth(Topology.replicaCommandQueue(replica));
        }
        return total;
    }

    /** Called after the router closed: anything it had not acked would be back in the queue. */
    private void assertAllAcked() {
        await().atMost(Duration.ofSeconds(10)).until(() -> depth(Topology.ROUTER_COMMANDS) == 0);
        assertThat(channel.isOpen()).isTrue();
    }
}
