package fulcrum.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Leia as the README's wire format describes her: {@code GetNumberRebelds} to the router's queue
 * {@code mos-eisley.queries}, replies on direct reply-to. A query is answered when its reply
 * arrives: published, routed, read at a replica, relayed back. (Writes take the informant's direct
 * path: {@link DirectWriteEndpoint}.)
 */
final class FulcrumEndpoint implements Endpoint {
    private static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
    private static final byte[] OK = "\"ok\":true".getBytes(StandardCharsets.UTF_8);

    private final Connection connection;
    private final Channel channel;
    private final String routingKey;
    private final LongFunction<Command> commands;
    private final String idPrefix = UUID.randomUUID() + "-";
    private final Map<String, Answer> pending = new ConcurrentHashMap<>();
    // ids unique over the endpoint's life: a re-used id would be answered from the first reply (dedup)
    private final AtomicLong nextId = new AtomicLong();

    private FulcrumEndpoint(Connection connection, String routingKey, LongFunction<Command> commands) throws IOException {
        this.connection = connection;
        this.routingKey = routingKey;
        this.commands = commands;
        this.channel = connection.createChannel();
        channel.confirmSelect();
        channel.basicConsume(DIRECT_REPLY_TO, true, (tag, delivery) -> {
            Answer answer = pending.remove(delivery.getProperties().getCorrelationId());
            if (answer != null) {
                answer.answered(contains(delivery.getBody(), OK) ? null : failure(delivery.getBody()));
            }
        }, tag -> { });
    }

    /** Clients that query along Leia's path. */
    static Factory queries(String uri, LongFunction<Command> queries) {
        return index -> open(uri, "fulcrum-bench-leia-" + index, Topology.ROUTER_QUERIES, queries);
    }

    private static Endpoint open(String uri, String name, String routingKey, LongFunction<Command> commands) throws IOException {
        try {
            return new FulcrumEndpoint(Amqp.connect(uri, name, Duration.ofSeconds(30)), routingKey, commands);
        } catch (TimeoutException e) {
            throw new IOException("no broker at " + Amqp.redact(uri) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void send(long sequence, Answer answer) throws IOException {
        String id = idPrefix + nextId.incrementAndGet();
        Command command = commands.apply(sequence);
        AMQP.BasicProperties props = Amqp.commandProperties(id, command.kind(), DIRECT_REPLY_TO);
        pending.put(id, answer);
        channel.basicPublish("", routingKey, false, props, CommandCodec.encode(command));
    }

    /** Why an answer that is not {@code ok} failed: its error code and message, or that it could not be read. */
    static String failure(byte[] body) {
        try {
            return Endpoint.failureOf(ReplyCodec.decode(body));
        } catch (RuntimeException unreadable) {
            return "unreadable answer: " + unreadable.getMessage();
        }
    }

    static boolean contains(byte[] body, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= body.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (body[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        try {
            connection.close(5_000);
        } catch (IOException | RuntimeException e) {
            connection.abort(1_000);
        }
    }
}
