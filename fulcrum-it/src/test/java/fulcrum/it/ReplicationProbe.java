package fulcrum.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.MergeMessages;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A raw AMQP client for the replication tests: sends commands to a chosen replica through
 * {@code fulcrum.commands} (routing key = replica id), publishes MergeNow on {@code fulcrum.merge}
 * and keeps the latest {@code fulcrum.status} announcement of every replica.
 */
final class ReplicationProbe implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(120);

    private final Connection connection;
    private final Channel channel;
    private final String replyQueue;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    final Map<String, MergeMessages.Status> status = new ConcurrentHashMap<>();

    ReplicationProbe(String uri, int replicas) throws Exception {
        connection = Amqp.connect(uri, "replication-probe", Duration.ofSeconds(30));
        channel = connection.createChannel();
        Topology.declare(channel, Topology.replicaIds(replicas));
        channel.confirmSelect();
        replyQueue = channel.queueDeclare().getQueue();
        channel.basicConsume(replyQueue, true, (tag, d) -> replies.put(d.getProperties().getCorrelationId(),
                ReplyCodec.decode(d.getBody())), tag -> { });
        String statusQueue = channel.queueDeclare().getQueue();
        channel.queueBind(statusQueue, Topology.STATUS_EXCHANGE, "");
        channel.basicConsume(statusQueue, true, (tag, d) -> {
            if (MergeMessages.STATUS.equals(d.getProperties().getType())) {
                MergeMessages.Status s = MergeMessages.decode(d.getBody(), MergeMessages.Status.class);
                status.put(s.replica(), s);
            }
        }, tag -> { });
    }

    /** Sends a command to one replica (persistent, confirmed) and returns its id. */
    String sendTo(String replicaId, Command command) throws Exception {
        String id = UUID.randomUUID().toString();
        channel.basicPublish(Topology.REPLICA_EXCHANGE, replicaId, true, Amqp.commandProperties(id, command.kind(), replyQueue),
                CommandCodec.encode(command));
        channel.waitForConfirmsOrDie(30_000);
        return id;
    }

    Reply awaitReply(String id) {
        return Awaitility.await("reply to " + id).atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> replies.get(id), r -> r != null);
    }

    Reply call(String replicaId, Command command) throws Exception {
        return awaitReply(sendTo(replicaId, command));
    }

    void mergeNow() throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType(Amqp.CONTENT_TYPE).deliveryMode(2)
                .type(MergeMessages.MERGE_NOW).messageId(UUID.randomUUID().toString()).build();
        channel.basicPublish(Topology.MERGE_EXCHANGE, "", props, FulcrumJson.write(new MergeMessages.MergeNow(UUID.randomUUID().toString())));
        channel.waitForConfirmsOrDie(30_000);
    }

    /** Waits until every replica announced the same applied vector satisfying {@code condition}. */
    Map<String, Long> awaitConverged(List<String> replicaIds, Predicate<Map<String, Long>> condition) {
        return Awaitility.await("equal applied vectors of " + replicaIds).atMost(WAIT).pollInterval(Duration.ofMillis(50))
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
