package fulcrum.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import fulcrum.common.amqp.Amqp;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw RabbitMQ baseline, as RabbitMQ's PerfTest measures a queue: plain amqp-client producers
 * (one connection each) publishing persistent messages, of the size of a Fulcrum command, to one
 * quorum queue with publisher confirms; one consumer on its own connection acknowledging every
 * {@value #ACK_EVERY} deliveries at once (multi-ack). A message is answered once it is both
 * confirmed to its producer and delivered to the consumer: the broker holds it durably and a
 * consumer has it, the raw counterpart of a Fulcrum write's reply.
 */
final class RawQueueBaseline implements Closeable {
    static final String QUEUE = "fulcrum-bench.raw";
    private static final int ACK_EVERY = 100;
    private static final int PREFETCH = 4 * ACK_EVERY * 10;

    private final String uri;
    private final byte[] body;
    private final Connection consumerConnection;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** {@code body}: every message's body (the bench passes an encoded Fulcrum command). */
    RawQueueBaseline(String uri, byte[] body) throws IOException {
        this.uri = uri;
        this.body = body.clone();
        this.consumerConnection = connect(uri, "fulcrum-bench-raw-consumer");
        Channel consumer = consumerConnection.createChannel();
        consumer.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
        consumer.queuePurge(QUEUE);
        consumer.basicQos(PREFETCH);
        AtomicInteger unacked = new AtomicInteger();
        consumer.basicConsume(QUEUE, false, (tag, delivery) -> {
            Pending p = pending.get(delivery.getProperties().getMessageId());
            if (p != null && p.settle(true)) {
                pending.remove(delivery.getProperties().getMessageId());
            }
            // the consumer thread is the only one acking: a plain counter decides when
            if (unacked.incrementAndGet() >= ACK_EVERY) {
                unacked.set(0);
                consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), true);
            }
        }, tag -> { });
    }

    /** Producers: each {@link Endpoint} publishes on a connection of its own. */
    Endpoint.Factory producers() {
        return index -> new Producer(connect(uri, "fulcrum-bench-raw-producer-" + index), "raw-" + index + "-");
    }

    private static Connection connect(String uri, String name) throws IOException {
        try {
            return Amqp.connect(uri, name, Duration.ofSeconds(30));
        } catch (TimeoutException e) {
            throw new IOException("no broker at " + Amqp.redact(uri) + ": " + e.getMessage(), e);
        }
    }

    /** A message waiting for its confirm and its delivery; answered when both came. */
    private static final class Pending {
        private final Endpoint.Answer answer;
        private final AtomicInteger missing = new AtomicInteger(2);
        private volatile boolean ok = true;

        Pending(Endpoint.Answer answer) {
            this.answer = answer;
        }

        /** Returns true when this was the last of the two. */
        boolean settle(boolean fine) {
            if (!fine) {
                ok = false;
            }
            if (missing.decrementAndGet() == 0) {
                answer.answered(ok ? null : "nack: the broker refused the message or its delivery");
                return true;
            }
            return false;
        }
    }

    private final class Producer implements Endpoint {
        private final Connection connection;
        private final Channel channel;
        private final String idPrefix;
        private final ConcurrentNavigableMap<Long, String> unconfirmed = new ConcurrentSkipListMap<>();
        private final AtomicLong nextId = new AtomicLong();

        Producer(Connection connection, String idPrefix) throws IOException {
            this.connection = connection;
            this.idPrefix = idPrefix;
            this.channel = connection.createChannel();
            channel.confirmSelect();
            channel.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long deliveryTag, boolean multiple) {
                    confirmed(deliveryTag, multiple, true);
                }

                @Override
                public void handleNack(long deliveryTag, boolean multiple) {
                    confirmed(deliveryTag, multiple, false);
                }
            });
        }

        private void confirmed(long deliveryTag, boolean multiple, boolean ok) {
            Map<Long, String> settled = multiple ? unconfirmed.headMap(deliveryTag, true)
                    : unconfirmed.subMap(deliveryTag, true, deliveryTag, true);
            for (String id : settled.values()) {
                Pending p = pending.get(id);
                if (p != null && p.settle(ok)) {
                    pending.remove(id);
                }
            }
            settled.clear();
        }

        @Override
        public void send(long sequence, Answer answer) throws IOException {
            String id = idPrefix + nextId.incrementAndGet();
            AMQP.BasicProperties props = MessageProperties.PERSISTENT_BASIC.builder().messageId(id).build();
            pending.put(id, new Pending(answer));
            unconfirmed.put(channel.getNextPublishSeqNo(), id);
            channel.basicPublish("", QUEUE, false, props, body);
        }

        @Override
        public void close() {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close(5_000);
        } catch (IOException | RuntimeException e) {
            connection.abort(1_000);
        }
    }

    @Override
    public void close() {
        try (Channel channel = consumerConnection.createChannel()) {
            channel.queueDelete(QUEUE);
        } catch (IOException | TimeoutException | RuntimeException e) {
            // the broker goes with the bench's cluster anyway
        }
        closeQuietly(consumerConnection);
    }
}
