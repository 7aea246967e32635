package fulcrum.common.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.common.wire.RouteCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.node.BatchedCommand;
import fulcrum.core.replica.Reply;
import fulcrum.core.router.RouteAnswer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends commands and queries and waits for the replica's reply. A write takes the direct path: the
 * client asks Mos Eisley for the write's route ({@code mos-eisley.routes}), publishes the write to
 * the route's first replica ({@code fulcrum.commands}, routing key = replica id), which answers the
 * client's reply-to itself, and walks on along the route after a {@code STALE} ({@link WriteWalk}).
 * A query goes to Mos Eisley, which asks the replicas for it. {@link #submit} asks for a route only
 * when it holds no fresh route table from an earlier answer ({@link RouteTable}); {@link #call}
 * asks for every write.
 *
 * <p>Publishing follows the reliability guide: persistent messages, {@code mandatory}, publisher
 * confirms, and a retry with the same message id when a publish is not confirmed (the replica
 * deduplicates by id, so a retry never applies a command twice). Replies come back on direct
 * reply-to. {@link #call} serves one thread at a time; {@link #submit} keeps many commands in flight
 * from any thread, on a channel of its own (a {@link CommandPipeline}) so the two never share confirms,
 * and under load puts the writes to one replica in one message.
 */
public final class FulcrumClient implements AutoCloseable {
    private static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
    private static final int MAX_PUBLISH_ATTEMPTS = 5;
    /** Writes {@link #submit} batches into one message to a replica at most, unless told otherwise. */
    public static final int DEFAULT_WRITE_BATCH_MAX = BatchedCommand.MAX_PER_BATCH;

    private final Connection connection;
    private final Channel channel;
    private final Duration timeout;
    /** Per command waited for: its route answers and replies, in arrival order (a walk takes several). */
    private final Map<String, BlockingQueue<Object>> pending = new ConcurrentHashMap<>();
    private final int writeBatchMax;
    private CommandPipeline pipeline;

    private FulcrumClient(Connection connection, Channel channel, Duration timeout, int writeBatchMax) {
        this.writeBatchMax = writeBatchMax;
        this.connection = connection;
        this.channel = channel;
        this.timeout = timeout;
    }

    public static FulcrumClient connect(String uri, String clientName, Duration timeout) throws UnavailableException {
        return connect(uri, clientName, timeout, DEFAULT_WRITE_BATCH_MAX);
    }

    /**
     * @param writeBatchMax writes {@link #submit} puts in one message to a replica at most (1..64);
     *                      1 sends each alone, as {@link #call} does
     */
    public static FulcrumClient connect(String uri, String clientName, Duration timeout, int writeBatchMax)
            throws UnavailableException {
        if (writeBatchMax < 1 || writeBatchMax > BatchedCommand.MAX_PER_BATCH) {
            throw new IllegalArgumentException("a write batch holds 1.." + BatchedCommand.MAX_PER_BATCH + " commands, got " + writeBatchMax);
        }
        Connection connection;
        try {
            connection = Amqp.connect(uri, clientName, timeout);
        } catch (IOException | TimeoutException e) {
            throw new UnavailableException(e.getMessage(), e);
        }
        try {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            FulcrumClient client = new FulcrumClient(connection, channel, timeout, writeBatchMax);
            channel.addReturnListener(returned -> client.fail(returned.getProperties().getCorrelationId(),
                    Unroutable.describe(returned.getExchange(), returned.getRoutingKey())));
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
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        pending.put(commandId, answers);
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] body = CommandCodec.encode(command, requiredClock, lastReplica);
        try {
            if (!command.kind().isWrite()) {
                publishConfirmed("", Topology.ROUTER_QUERIES, Amqp.commandProperties(commandId, command.kind(), DIRECT_REPLY_TO), body);
                return (Reply) next(answers, deadline, commandId, false);
            }
            publishConfirmed("", Topology.ROUTER_ROUTES, Amqp.routeRequestProperties(commandId, command.kind(), DIRECT_REPLY_TO), body);
            RouteAnswer route = (RouteAnswer) next(answers, deadline, commandId, true);
            if (!route.ok()) {
                return Reply.failure(command.kind(), command.planet(), command.city(), null, null, route.errorCode(),
                        route.errorMessage());
            }
            WriteWalk walk = new WriteWalk(route.order());
            AMQP.BasicProperties props = Amqp.commandProperties(commandId, command.kind(), DIRECT_REPLY_TO);
            publishConfirmed(Topology.REPLICA_EXCHANGE, walk.replica(), props, body);
            while (true) {
                Reply reply = (Reply) next(answers, deadline, commandId, false);
                switch (walk.onReply(reply)) {
                    case FINAL -> {
                        return reply;
                    }
                    case NEXT -> publishConfirmed(Topology.REPLICA_EXCHANGE, walk.replica(), props, body);
                    case IGNORE -> { }
                }
            }
        } finally {
            pending.remove(commandId);
        }
    }

    /** The next answer for {@code commandId} of the kind waited for (a route answer or a reply); others are dropped. */
    private Object next(BlockingQueue<Object> answers, long deadline, String commandId, boolean route)
            throws UnavailableException {
        try {
            while (true) {
                Object answer = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (answer == null) {
                    throw new UnavailableException("no " + (route ? "route from Mos Eisley" : "reply") + " within "
                            + timeout.toSeconds() + "s to command " + commandId
                            + " (it may or may not have been applied; re-sending it with the same id is safe)");
                }
                if (answer instanceof Failure failure) {
                    throw new UnavailableException(failure.message());
                }
                if (route == answer instanceof RouteAnswer) {
                    return answer;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        }
    }

    /** Why a command's outcome is unknown, as its waiter hears it. */
    private record Failure(String message) {
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

    /** How {@link #submit} has batched writes so far. */
    public synchronized WriteBatching writeBatching() {
        return pipeline == null ? new WriteBatching(0, 0) : pipeline.batching();
    }

    private synchronized CommandPipeline pipeline() throws UnavailableException {
        if (pipeline == null) {
            pipeline = CommandPipeline.open(connection, timeout, writeBatchMax);
        }
        return pipeline;
    }

    private void publishConfirmed(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body)
            throws UnavailableException {
        String lastProblem = "no confirm";
        for (int attempt = 1; attempt <= MAX_PUBLISH_ATTEMPTS; attempt++) {
            try {
                channel.basicPublish(exchange, routingKey, true, props, body);
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
        throw new UnavailableException("could not publish to " + (exchange.isEmpty() ? routingKey : exchange + " (" + routingKey + ")")
                + " after " + MAX_PUBLISH_ATTEMPTS
                + " attempts: " + lastProblem);
    }

    private void onReply(AMQP.BasicProperties props, byte[] body) {
        BlockingQueue<Object> waiting = props.getCorrelationId() == null ? null : pending.get(props.getCorrelationId());
        if (waiting == null) {
            return; // a late reply to a command this client stopped waiting for
        }
        try {
            waiting.add(RouteCodec.TYPE.equals(props.getType()) ? RouteCodec.decode(body) : ReplyCodec.decode(body));
        } catch (IllegalArgumentException e) {
            waiting.add(new Failure("unreadable reply: " + e.getMessage()));
        }
    }

    private void fail(String correlationId, String message) {
        BlockingQueue<Object> waiting = correlationId == null ? null : pending.get(correlationId);
        if (waiting != null) {
            waiting.add(new Failure(message));
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
