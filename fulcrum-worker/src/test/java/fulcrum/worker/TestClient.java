package fulcrum.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.BatchCodec;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A raw AMQP client for tests: publishes persistent, confirmed commands straight to a replica's
 * command queue (as the router does) with an exclusive reply queue, counts the replies per
 * correlation id, and reads the dead-letter queue.
 */
final class TestClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final Connection connection;
    private final Channel channel;
    private final String replyQueue;
    private final String targetQueue;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final Map<String, Integer> replyCounts = new ConcurrentHashMap<>();
    /** Batch answers received, per batch correlation id. */
    private final Map<String, Integer> replyMessages = new ConcurrentHashMap<>();

    TestClient(String uri, String replicaId) throws Exception {
        connection = Amqp.connect(uri, "worker-test-client", Duration.ofSeconds(30));
        channel = connection.createChannel();
        Topology.declare(channel, Topology.replicaIds(3));
        channel.confirmSelect();
        replyQueue = channel.queueDeclare().getQueue();
        targetQueue = Topology.replicaCommandQueue(replicaId);
        channel.basicConsume(replyQueue, true, (tag, delivery) -> {
            String id = delivery.getProperties().getCorrelationId();
            if (BatchCodec.REPLY_BATCH_TYPE.equals(delivery.getProperties().getType())) {
                replyMessages.merge(id, 1, Integer::sum);
                for (BatchCodec.IdentifiedReply r : BatchCodec.decodeReplies(delivery.getBody())) {
                    replies.put(r.commandId(), r.reply());
                    replyCounts.merge(r.commandId(), 1, Integer::sum);
                }
                return;
            }
            replies.put(id, ReplyCodec.decode(delivery.getBody()));
            replyCounts.merge(id, 1, Integer::sum);
        }, tag -> { });
    }

    String send(Command command) throws Exception {
        return send(UUID.randomUUID().toString(), command);
    }

    String send(String commandId, Command command) throws Exception {
        sendRaw(Amqp.commandProperties(commandId, command.kind(), replyQueue), CommandCodec.encode(command));
        return commandId;
    }

    /** Sends a command carrying a session's required clock. */
    String send(String commandId, Command command, VectorClock requiredClock) throws Exception {
        sendRaw(Amqp.commandProperties(commandId, command.kind(), replyQueue), CommandCodec.encode(command, requiredClock));
        return commandId;
    }

    /** Sends a batch of commands in one message (replies come in one message, each under its command id). */
    void sendBatch(String batchId, java.util.List<BatchCodec.Entry> entries) throws Exception {
        sendRaw(props(batchId, batchId, BatchCodec.COMMAND_BATCH_TYPE).build(), BatchCodec.encodeCommands(entries));
    }

    /** How many batch answers came for the batch {@code batchId}. */
    int batchAnswers(String batchId) {
        return replyMessages.getOrDefault(batchId, 0);
    }

    /** Forgets the reply received for a command id (to await the reply to a re-send of the same id). */
    void forget(String correlationId) {
        replies.remove(correlationId);
    }

    /** Publishes an arbitrary body with the given properties (reply_to added) and waits for the confirm. */
    void sendRaw(AMQP.BasicProperties properties, byte[] body) throws Exception {
        channel.basicPublish("", targetQueue, properties.builder().replyTo(replyQueue).deliveryMode(2).build(), body);
        channel.waitForConfirmsOrDie(30_000);
    }

    AMQP.BasicProperties.Builder props(String messageId, String correlationId, String type) {
        return new AMQP.BasicProperties.Builder().contentType(Amqp.CONTENT_TYPE).messageId(messageId)
                .correlationId(correlationId).type(type);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    Reply awaitReply(String correlationId) {
        return Awaitility.await("reply to " + correlationId).atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> replies.get(correlationId), r -> r != null);
    }

    Reply call(Command command) throws Exception {
        return awaitReply(send(command));
    }

    int replyCount(String correlationId) {
        return replyCounts.getOrDefault(correlationId, 0);
    }

    Optional<Reply> replyIfAny(String correlationId) {
        return Optional.ofNullable(replies.get(correlationId));
    }

    /** Takes the next message from fulcrum.dead-letters, waiting for one to arrive. */
    GetResponse awaitDeadLetter() {
        return Awaitility.await("a dead letter").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> channel.basicGet(Topology.DEAD_LETTER_QUEUE, true), r -> r != null);
    }

    /** Ready messages in fulcrum.dead-letters. */
    long deadLetterCount() throws IOException {
        return channel.messageCount(Topology.DEAD_LETTER_QUEUE);
    }

    /** Consumers of the replica's command queue (the worker consumes it only while it serves). */
    long commandConsumers() throws IOException {
        return channel.consumerCount(targetQueue);
    }

    /** Ready messages in the replica's command queue. */
    long commandsWaiting() throws IOException {
        return channel.messageCount(targetQueue);
    }

    @Override
    public void close() throws Exception {
        if (connection.isOpen()) {
            connection.close((int) TimeUnit.SECONDS.toMillis(5));
        }
    }
}
