package fulcrum.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.PeerCodec;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.Phase;
import fulcrum.testkit.Agreement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A raw AMQP client for the replication tests: sends commands to a chosen replica through
 * {@code fulcrum.commands} (routing key = replica id), publishes MergeNow on {@code fulcrum.merge},
 * and keeps every {@code fulcrum.status} announcement (the latest per replica, and all of them).
 */
final class ReplicationProbe implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(120);

    private final Connection connection;
    private final Channel channel;
    private final String replyQueue;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    final Map<String, ReplicaStatus> status = new ConcurrentHashMap<>();
    final List<ReplicaStatus> heard = new CopyOnWriteArrayList<>();

    ReplicationProbe(String uri, int replicas) throws Exception {
        connection = Amqp.connect(uri, "replication-probe", Duration.ofSeconds(30));
        channel = connection.createChannel();
        Topology.declare(channel, Topology.replicaIds(replicas));
        channel.confirmSelect();
        replyQueue = channel.queueDeclare().getQueue();
        channel.basicConsume(replyQueue, true, (tag, d) -> replies.put(d.getProperties().getCorrelationId(),
                ReplyCodec.decode(d.getBody())), tag -> { });
        Channel statusChannel = connection.createChannel();
        String statusQueue = statusChannel.queueDeclare().getQueue();
        statusChannel.queueBind(statusQueue, Topology.STATUS_EXCHANGE, "");
        statusChannel.basicConsume(statusQueue, true, (tag, d) -> {
            try {
                if (PeerCodec.decode(d.getProperties().getType(), d.getBody(), PeerCodec.MAX_STATUS_BODY_BYTES)
                        instanceof ReplicaStatus s) {
                    status.put(s.replica(), s);
                    heard.add(s);
                }
            } catch (PeerCodec.UndecodableException e) {
                // not an announcement of a replica
            }
        }, tag -> { });
    }

    /** Sends a command to one replica (persistent, confirmed) and returns its id. */
    String sendTo(String replicaId, Command command) throws Exception {
        return sendTo(replicaId, UUID.randomUUID().toString(), command);
    }

    String sendTo(String replicaId, String commandId, Command command) throws Exception {
        synchronized (channel) {
            channel.basicPublish(Topology.REPLICA_EXCHANGE, replicaId, true,
                    Amqp.commandProperties(commandId, command.kind(), replyQueue), CommandCodec.encode(command));
            channel.waitForConfirmsOrDie(30_000);
        }
        return commandId;
    }

    Reply awaitReply(String id) {
        return Awaitility.await("reply to " + id).atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> replies.get(id), r -> r != null);
    }

    Reply call(String replicaId, Command command) throws Exception {
        return awaitReply(sendTo(replicaId, command));
    }

    void mergeNow() throws Exception {
        MergeNow request = new MergeNow(UUID.randomUUID().toString());
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType(Amqp.CONTENT_TYPE).deliveryMode(2)
                .type(request.type()).messageId(request.requestId()).build();
        synchronized (channel) {
            channel.basicPublish(Topology.MERGE_EXCHANGE, "", props, PeerCodec.encode(request));
            channel.waitForConfirmsOrDie(30_000);
        }
    }

    /** Waits for an announcement of {@code replicaId} that satisfies {@code condition}. */
    ReplicaStatus awaitStatus(String replicaId, Predicate<ReplicaStatus> condition) {
        return Awaitility.await("status of " + replicaId).atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> status.get(replicaId), s -> s != null && condition.test(s));
    }

    /** Waits until every replica announced, serving, the same applied vector satisfying {@code condition}. */
    Map<String, Long> awaitConverged(List<String> replicaIds, Predicate<Map<String, Long>> condition) {
        return Agreement.await("equal applied vectors of " + replicaIds, WAIT, replicaIds, id -> {
            ReplicaStatus s = status.get(id);
            return s == null || s.phase() != Phase.SERVING ? null : s.applied();
        }, condition);
    }

    /** Messages waiting in fulcrum.dead-letters. */
    long deadLetters() throws Exception {
        synchronized (channel) {
            return channel.messageCount(Topology.DEAD_LETTER_QUEUE);
        }
    }

    @Override
    public void close() throws Exception {
        if (connection.isOpen()) {
            connection.close((int) TimeUnit.SECONDS.toMillis(5));
        }
    }
}
