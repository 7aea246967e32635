package fulcrum.router;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.replica.Reply;
import fulcrum.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a router test plays on a real broker, in a fresh virtual host per test: the clients
 * (publish, collect relayed replies) and the replicas (take forwards from their queues, answer
 * them). A JUnit extension: register it as a field and it connects before each test.
 */
final class BrokerSide implements BeforeEachCallback, AfterEachCallback {
    static final List<String> REPLICAS = Topology.replicaIds(3);

    final BlockingQueue<AMQP.BasicProperties> replyProps = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
    String uri;
    Channel channel;
    String replyQueue;
    private Connection connection;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
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

    Router startRouter(int maxInFlight, Duration queryTimeout) throws Exception {
        Router router = new Router(uri, "mos-eisley-test", REPLICAS, new Router.Options(16, 8, maxInFlight, queryTimeout));
        router.start(Duration.ofSeconds(10));
        return router;
    }

    Router startRouter() throws Exception {
        return startRouter(1000, Duration.ofMinutes(10));
    }

    void publish(String id, CommandKind kind, byte[] body) throws Exception {
        String queue = kind == CommandKind.GetNumberRebelds ? Topology.ROUTER_QUERIES : Topology.ROUTER_COMMANDS;
        channel.basicPublish("", queue, true, Amqp.commandProperties(id, kind, replyQueue), body);
    }

    /** The next forward found in any replica's queue (taken off it). */
    GetResponse awaitForwarded() {
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

    /** The next reply relayed to the client, decoded. */
    Reply awaitReply() {
        byte[] body = await().atMost(Duration.ofSeconds(10)).until(replies::poll, b -> b != null);
        return ReplyCodec.decode(body);
    }

    void answerAsReplica(GetResponse forwarded, Reply reply) throws Exception {
        channel.basicPublish("", forwarded.getProps().getReplyTo(), false,
                Amqp.replyProperties(forwarded.getProps().getCorrelationId(), reply.command().name()), ReplyCodec.encode(reply));
    }

    static VectorClock clock(String replica, long value) {
        return VectorClock.zero(REPLICAS).merge(VectorClock.of(Map.of(replica, value)));
    }

    long depth(String queue) throws Exception {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    long totalReplicaDepth() throws Exception {
        long total = 0;
        for (String replica : REPLICAS) {
            total += depth(Topology.replicaCommandQueue(replica));
        }
        return total;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        connection.close();
    }
}
