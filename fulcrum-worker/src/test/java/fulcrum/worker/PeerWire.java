package fulcrum.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.store.Phase;
import fulcrum.testkit.Agreement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * The test's side of the traffic between replicas, over the real broker: publishes peer messages
 * (typed, or raw bytes under any AMQP type) to the {@code fulcrum.merge} fanout, to one replica's
 * merge queue, or to the {@code fulcrum.status} fanout; reads a replica's merge queue message by
 * message (for replicas the test plays itself); and keeps the latest status every replica announced.
 */
final class PeerWire implements AutoCloseable {
    private final Connection connection;
    private final Channel channel;
    private final Map<String, ReplicaStatus> latest = new ConcurrentHashMap<>();

    PeerWire(String uri) throws Exception {
        connection = Amqp.connect(uri, "peer-wire", Duration.ofSeconds(30));
        channel = connection.createChannel();
        Topology.declare(channel, Topology.replicaIds(3));
        channel.confirmSelect();
        Channel statusChannel = connection.createChannel();
        String statusQueue = statusChannel.queueDeclare().getQueue();
        statusChannel.queueBind(statusQueue, Topology.STATUS_EXCHANGE, "");
        statusChannel.basicConsume(statusQueue, true, (tag, d) -> {
            try {
                if (PeerCodec.decode(d.getProperties().getType(), d.getBody(), PeerCodec.MAX_STATUS_BODY_BYTES)
                        instanceof ReplicaStatus s) {
                    latest.put(s.replica(), s);
                }
            } catch (PeerCodec.UndecodableException e) {
                // the tests' own forged announcements: not a replica's status
            }
        }, tag -> { });
    }

    /** Publishes straight into one replica's merge queue (as a direct peer message travels). */
    void toQueue(String replicaId, PeerMessage message) throws Exception {
        toQueueRaw(replicaId, message.type(), PeerCodec.encode(message));
    }

    void toQueueRaw(String replicaId, String type, byte[] body) throws Exception {
        publish("", Topology.replicaMergeQueue(replicaId), type, body, 2);
    }

    /** Publishes on the fulcrum.merge fanout: every replica's merge queue gets it. */
    void toAll(PeerMessage message) throws Exception {
        publish(Topology.MERGE_EXCHANGE, "", message.type(), PeerCodec.encode(message), 2);
    }

    /** Announces on fulcrum.status (transient, as replicas do). */
    void announce(ReplicaStatus status) throws Exception {
        announceRaw(status.type(), PeerCodec.encode(status));
    }

    void announceRaw(String type, byte[] body) throws Exception {
        publish(Topology.STATUS_EXCHANGE, "", type, body, 1);
    }

    void mergeNow() throws Exception {
        toAll(new MergeNow("test-" + UUID.randomUUID()));
    }

    private void publish(String exchange, String routingKey, String type, byte[] body, int deliveryMode) throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType(Amqp.CONTENT_TYPE)
                .deliveryMode(deliveryMode).type(type).messageId("test-" + UUID.randomUUID()).build();
        channel.basicPublish(exchange, routingKey, props, body);
        channel.waitForConfirmsOrDie(30_000);
    }

    /**
     * Takes the next message of a replica's merge queue (acknowledged at once), or null when the
     * queue holds none ready. Only for replicas the test plays: a worker consumes its own queue.
     */
    PeerMessage pull(String replicaId) throws Exception {
        GetResponse r = channel.basicGet(Topology.replicaMergeQueue(replicaId), true);
        return r == null ? null : PeerCodec.decode(r.getProps().getType(), r.getBody(), PeerCodec.MAX_MERGE_BODY_BYTES);
    }

    ReplicaStatus latest(String replicaId) {
        return latest.get(replicaId);
    }

    void forgetStatus(String replicaId) {
        latest.remove(replicaId);
    }

    /** Waits for an announcement of {@code replicaId} that satisfies {@code condition}. */
    ReplicaStatus awaitStatus(String replicaId, Predicate<ReplicaStatus> condition) {
        return Awaitility.await("status of " + replicaId).atMost(TestClient.WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> latest.get(replicaId), s -> s != null && condition.test(s));
    }

    /** Waits until every given replica announced, serving, the same applied vector satisfying {@code condition}. */
    Map<String, Long> awaitConverged(List<String> replicaIds, Predicate<Map<String, Long>> condition) {
        return Agreement.await("equal applied vectors of " + replicaIds, TestClient.WAIT, replicaIds, id -> {
            ReplicaStatus s = latest.get(id);
            return s == null || s.phase() != Phase.SERVING ? null : s.applied();
        }, condition);
    }

    @Override
    public void close() throws Exception {
        if (connection.isOpen()) {
            connection.close((int) TimeUnit.SECONDS.toMillis(5));
        }
    }
}
