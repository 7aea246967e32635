package fulcrum.common.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends commands and queries to Mos Eisley and waits for the replica's reply.
 *
 * <p>Publishing follows the reliability guide: persistent messages, {@code mandatory}, publisher
 * confirms, and a retry with the same message id when a publish is not confirmed (the replica
 * deduplicates by id, so a retry never applies a command twice). Replies come back on direct
 * reply-to. {@link #call} serves one thread at a time; {@link #submit} keeps many commands in flight
 * from any thread, on a channel of its own (a {@link CommandPipeline}) so the two never share confirms.
 */
public final class FulcrumClient implements AutoCloseable {
    private static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
    private static final int MAX_PUBLISH_ATTEMPTS = 5;

    private final Connection connection;
    private final Channel channel;
    private final Duration timeout;
    private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private CommandPipeline pipeline;

    private FulcrumClient(Connection connection, Channel channel, Duration timeout) {
        this.connection = connection;
        this.channel = channel;
        this.timeout = timeout;
    }

    public static FulcrumClient connect(String uri, String clientName, Duration timeout) throws UnavailableException {
        Connection connection;
        try {
            connection = Amqp.connect(uri, clientName, timeout);
        } catch (IOException | TimeoutException e) {
            throw new UnavailableException(e.getMessage(), e);
        }
        try {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            FulcrumClient client = new FulcrumClient(connection, channel, timeout);
            channel.addReturnListener(returned -> client.fail(returned.getProperties().getCorrelationId(),
                    "no queue '" + returned.getRoutingKey() + "' on the broker: is the cluster up (./fulcrum up)?"));
            channel.basicConsume(DIRECT_REPLY_TO, true, (tag, delivery) -> client.onReply(delivery.getProperties(),
                    delivery.getBody()), tag -> { });
            return client;
        } catch (IOException | RuntimeException e) {
            closeQuietly(connection);
            throw new UnavailableException("cannot open a channel: " + Amqp.rootMessage(e), e);
        }
    }

    /** Sends {@code command} under a fresh id. */
    public Reply call(Command command) throws UnavailableException {
        return call(UUID.randomUUID().toString(), command);
    }

    /** Sends {@code command} under {@code commandId}; re-sending an id returns the first reply. */
    public Reply call(String commandId, Command command) throws UnavailableException {
        return call(commandId, command, null, null);
    }

    /**
     * Sends {@code command} with a session's required clock for its planet (null: none) and the
     * replica that gave the session that clock (null: unknown), so that no replica serves it an
     * older state.
     */
    public Reply call(String commandId, Command command, VectorClock requiredClock, String lastReplica)
            throws UnavailableException {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(commandId, reply);
        try {
            String queue = command.kind().isWrite() ? Topology.ROUTER_COMMANDS : Topology.ROUTER_QUERIES;
            publishConfirmed(queue, Amqp.commandProperties(commandId, command.kind(), DIRECT_REPLY_TO),
                    CommandCodec.encode(command, requiredClock, lastReplica));
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new UnavailableException("no reply within " + timeout.toSeconds() + "s to command " + commandId
                    + " (it may or may not have been applied; re-sending it with the same id is safe)");
        } catch (ExecutionException e) {
            throw new UnavailableException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        } finally {
            pending.remove(commandId);
        }
    }

    /**
     * Sends {@code command} without waiting: the future completes with the replica's reply, or
     * exceptionally with an {@link UnavailableException} when its outcome is unknown (no confirm or
     * reply within the client's timeout, counted from this call; the broker refused or returned it;
     * the connection was lost). The caller bounds how many it keeps in flight. Like {@link #call},
     * the command carries a session's required clock for its planet and last replica (null: none).
     */
    public CompletableFuture<Reply> submit(String commandId, Command command, VectorClock requiredClock,
                                           String lastReplica) {
        CommandPipeline lane;
        try {
            lane = pipeline();
        } catch (UnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
        return lane.submit(commandId, command, requiredClock, lastReplica);
    }

    private synchronized CommandPipeline pipeline() throws UnavailableException {
        if (pipeline == null) {
            pipeline = CommandPipeline.open(connection, timeout);
        }
        return pipeline;
    }

    private void publishConfirmed(String queue, AMQP.BasicProperties props, byte[] body) throws UnavailableException {
        String lastProblem = "no confirm";
        for (int attempt = 1; attempt <= MAX_PUBLISH_ATTEMPTS; attempt++) {
            try {
                channel.basicPublish("", queue, true, props, body);
                if (channel.waitForConfirms(timeout.toMillis())) {
                    return;
                }
                lastProblem = "the broker refused the message (nack)";
            } catch (TimeoutException e) {
                lastProblem = "no confirm within " + timeout.toSeconds() + "s";
            } catch (IOException | ShutdownSignalException e) {
                lastProblem = Amqp.rootMessage(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted");
            }
        }
        throw new UnavailableException("could not publish to " + queue + " after " + MAX_PUBLISH_ATTEMPTS
                + " attempts: " + lastProblem);
    }

    private void onReply(AMQP.BasicProperties props, byte[] body) {
        CompletableFuture<Reply> waiting = pending.get(props.getCorrelationId());
        if (waiting == null) {
            return; // a late reply to a command this client stopped waiting for
        }
        try {
            waiting.complete(ReplyCodec.decode(body));
        } catch (IllegalArgumentException e) {
            waiting.completeExceptionally(new IllegalStateException("unreadable reply: " + e.getMessage()));
        }
    }

    private void fail(String correlationId, String message) {
        CompletableFuture<Reply> waiting = correlationId == null ? null : pending.get(correlationId);
        if (waiting != null) {
            waiting.completeExceptionally(new IllegalStateException(message));
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (pipeline != null) {
                pipeline.close();
            }
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close(2000);
        } catch (IOException | RuntimeException ignored) {
            // closing is best effort: the broker drops the connection anyway when the process exits
        }
    }
}
