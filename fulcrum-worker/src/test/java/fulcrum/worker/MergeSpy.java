package fulcrum.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.MergeMessages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * Test side of the merge protocol: records everything published on {@code fulcrum.merge} (deltas,
 * resend requests) and the latest {@code fulcrum.status} announcement per replica, and publishes
 * merge messages, to the fanout or straight to one replica's merge queue.
 */
final class MergeSpy implements AutoCloseable {
    record Seen(String type, byte[] body) {
        <T> T as(Class<T> type) {
            return MergeMessages.decode(body, type);
        }
    }

    private final Connection connection;
    private final Channel channel;
    final List<Seen> merge = new CopyOnWriteArrayList<>();
    final Map<String, MergeMessages.Status> status = new ConcurrentHashMap<>();

    MergeSpy(String uri) throws Exception {
        connection = Amqp.connect(uri, "merge-spy", Duration.ofSeconds(30));
        channel = connection.createChannel();
        Topology.declare(channel, Topology.replicaIds(3));
        channel.confirmSelect();
        String mergeQueue = channel.queueDeclare().getQueue();
        channel.queueBind(mergeQueue, Topology.MERGE_EXCHANGE, "");
        channel.basicConsume(mergeQueue, true, (tag, d) -> merge.add(new Seen(d.getProperties().getType(), d.getBody())),
                tag -> { });
        String statusQueue = channel.queueDeclare().getQueue();
        channel.queueBind(statusQueue, Topology.STATUS_EXCHANGE, "");
        channel.basicConsume(statusQueue, true, (tag, d) -> {
            MergeMessages.Status s = MergeMessages.decode(d.getBody(), MergeMessages.Status.class);
            status.put(s.replica(), s);
        }, tag -> { });
    }

    /** Publishes to the fulcrum.merge fanout (every replica gets it). */
    void toAll(String type, Object message) throws Exception {
        publish(Topology.MERGE_EXCHANGE, "", type, FulcrumJson.write(message));
    }

    /** Publishes straight into one replica's merge queue. */
    void toReplica(String replicaId, String type, byte[] body) throws Exception {
        publish("", Topology.replicaMergeQueue(replicaId), type, body);
    }

    void toReplica(String replicaId, String type, Object message) throws Exception {
        toReplica(replicaId, type, FulcrumJson.write(message));
    }

    private void publish(String exchange, String routingKey, String type, byte[] body) throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType(Amqp.CONTENT_TYPE).deliveryMode(2)
                .type(type).messageId("spy-" + System.nanoTime()).build();
        channel.basicPublish(exchange, routingKey, props, body);
        channel.waitForConfirmsOrDie(30_000);
    }

    List<MergeMessages.Delta> deltas() {
        return merge.stream().filter(s -> MergeMessages.DELTA.equals(s.type())).map(s -> s.as(MergeMessages.Delta.class)).toList();
    }

    List<MergeMessages.Resend> resends() {
        return merge.stream().filter(s -> MergeMessages.RESEND.equals(s.type())).map(s -> s.as(MergeMessages.Resend.class)).toList();
    }

    MergeMessages.Status awaitStatus(String replicaId, Predicate<MergeMessages.Status> condition) {
        return Awaitility.await("status of " + replicaId).atMost(TestClient.WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> status.get(replicaId), s -> s != null && condition.test(s));
    }

    /** Waits until every given replica announced the same applied vector, and returns it. */
    Map<String, Long> awaitEqualVectors(List<String> replicaIds, Predicate<Map<String, Long>> condition) {
        return Awaitility.await("equal applied vectors of " + replicaIds).atMost(TestClient.WAIT)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    Map<String, Long> first = null;
                    for (String id : replicaIds) {
                        MergeMessages.Status s = status.get(id);
                        if (s == null || (first != null && !first.equals(s.applied()))) {
                            return null;
                        }
                        first = s.applied();
                    }
                    return first;
                }, v -> v != null && condition.test(v));
    }

    @Override
    public void close() throws Exception {
        if (connection.isOpen()) {
            connection.close((int) TimeUnit.SECONDS.toMillis(5));
        }
    }
}
