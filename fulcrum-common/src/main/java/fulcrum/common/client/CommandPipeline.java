package fulcrum.common.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConfirmListener;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.common.wire.RouteCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import fulcrum.core.router.RouteAnswer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Many commands in flight on one channel of a client's connection: each is published (persistent,
 * {@code mandatory}) and tracked by its publisher-confirm sequence number, its reply is matched by
 * correlation id (= command id) on the channel's direct reply-to, and each has its own deadline.
 * A write walks its route (see {@link FulcrumClient}): while the route table Mos Eisley handed out
 * is fresh ({@link RouteTable}), the submitting thread computes the route and publishes the write
 * to its first replica at once; otherwise the route request goes out first and the route answer
 * publishes it, from the reply consumer's thread, which also publishes it to the next replica after
 * each {@code STALE} of the walk. A route answer teaches the table; a returned publish or a refused
 * route makes it forgotten, so the next write asks again. A query goes to Mos Eisley.
 *
 * <p>Every submitted command ends in exactly one way: the replica's reply, or an
 * {@link UnavailableException} saying why its outcome is unknown (no confirm or reply before the
 * deadline, the broker refused or returned it, the connection was lost). A late reply after the
 * deadline is dropped: the caller has already been told the outcome is unknown.
 *
 * <p>Publishing is not retried here: a command whose outcome is unknown is the caller's to re-send
 * under the same id (the replicas deduplicate by id). Thread-safe.
 */
final class CommandPipeline implements AutoCloseable {
    private static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";

    private final Channel channel;
    private final Duration timeout;
    private final ScheduledThreadPoolExecutor deadlines;
    private final Map<String, Flight> flights = new ConcurrentHashMap<>();
    private final ConcurrentNavigableMap<Long, String> unconfirmed = new ConcurrentSkipListMap<>();
    private final Object publishLock = new Object();
    /** The route table of Mos Eisley's last route answer: while fresh, a write needs no route request. */
    private final RouteTable routeTable = new RouteTable();

    private static final class Flight {
        final String commandId;
        final Command command;
        final AMQP.BasicProperties props;
        final byte[] body;
        final CompletableFuture<Reply> reply = new CompletableFuture<>();
        volatile boolean confirmed;
        volatile ScheduledFuture<?> deadline;
        /**
         * A write's walk, once its route is known. Set once: by the submitting thread before the
         * write is published (route from the table), or by the reply consumer's thread on the route
         * answer; after that only the reply consumer's thread reads and moves it. A reply to that
         * publish can only come after it, so it finds the walk set (volatile: seen across threads).
         */
        volatile WriteWalk walk;

        Flight(String commandId, Command command, AMQP.BasicProperties props, byte[] body) {
            this.commandId = commandId;
            this.command = command;
            this.props = props;
            this.body = body;
        }
    }

    private CommandPipeline(Channel channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
        this.deadlines = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "fulcrum-client-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        this.deadlines.setRemoveOnCancelPolicy(true);
    }

    static CommandPipeline open(Connection connection, Duration timeout) throws UnavailableException {
        Channel channel;
        try {
            channel = connection.createChannel();
        } catch (IOException | RuntimeException e) {
            throw new UnavailableException("cannot open a channel: " + Amqp.rootMessage(e), e);
        }
        CommandPipeline pipeline = new CommandPipeline(channel, timeout);
        try {
            channel.confirmSelect();
            channel.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long seq, boolean multiple) {
                    pipeline.onConfirm(seq, multiple, true);
                }

                @Override
                public void handleNack(long seq, boolean multiple) {
                    pipeline.onConfirm(seq, multiple, false);
                }
            });
            channel.addReturnListener(returned -> {
                // the replica set may have changed under the table: the next write asks Mos Eisley
                pipeline.routeTable.forget();
                pipeline.fail(returned.getProperties().getCorrelationId(),
                        Unroutable.describe(returned.getExchange(), returned.getRoutingKey()));
            });
            // A reply to a lost channel never comes: every command then in flight has an unknown outcome.
            channel.addShutdownListener(cause -> pipeline.failAll("connection lost: " + Amqp.rootMessage(cause)
                    + " (the command may or may not have been applied; re-sending it with the same id is safe)"));
            channel.basicConsume(DIRECT_REPLY_TO, true,
                    (tag, delivery) -> pipeline.onReply(delivery.getProperties(), delivery.getBody()), tag -> { });
            return pipeline;
        } catch (IOException | RuntimeException e) {
            pipeline.close();
            throw new UnavailableException("cannot open a channel: " + Amqp.rootMessage(e), e);
        }
    }

    CompletableFuture<Reply> submit(String commandId, Command command, VectorClock requiredClock, String lastReplica) {
        Flight flight = new Flight(commandId, command, Amqp.commandProperties(commandId, command.kind(), DIRECT_REPLY_TO),
                CommandCodec.encode(command, requiredClock, lastReplica));
        if (flights.putIfAbsent(commandId, flight) != null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "command " + commandId + " is already in flight on this client"));
        }
        flight.reply.whenComplete((reply, error) -> {
            flights.remove(commandId, flight);
            ScheduledFuture<?> deadline = flight.deadline;
            if (deadline != null) {
                deadline.cancel(false);
            }
        });
        List<String> route = command.kind().isWrite() ? routeTable.order(commandId, lastReplica, System.nanoTime()) : null;
        if (route != null) {
            startWalk(flight, route); // the route Mos Eisley would answer: no need to ask
        } else if (command.kind().isWrite()) {
            publish(flight, "", Topology.ROUTER_ROUTES,
                    Amqp.routeRequestProperties(commandId, command.kind(), DIRECT_REPLY_TO));
        } else {
            publish(flight, "", Topology.ROUTER_QUERIES, flight.props);
        }
        if (flight.reply.isDone()) {
            return flight.reply;
        }
        flight.deadline = deadlines.schedule(() -> fail(flight, (flight.confirmed
                ? "no reply within " + describe(timeout) + " to command " + commandId
                : "no confirm from the broker within " + describe(timeout) + " for command " + commandId)
                + " (it may or may not have been applied; re-sending it with the same id is safe)"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (flight.reply.isDone()) {
            flight.deadline.cancel(false);
        }
        return flight.reply;
    }

    /** Publishes one message of {@code flight}, tracked for its confirm; a failure ends the flight. */
    private void publish(Flight flight, String exchange, String routingKey, AMQP.BasicProperties props) {
        try {
            synchronized (publishLock) {
                long seq = channel.getNextPublishSeqNo();
                unconfirmed.put(seq, flight.commandId);
                flight.confirmed = false;
                channel.basicPublish(exchange, routingKey, true, props, flight.body);
            }
        } catch (IOException | RuntimeException e) {
            fail(flight, "could not publish to " + (exchange.isEmpty() ? routingKey : exchange + " (" + routingKey + ")")
                    + ": " + Amqp.rootMessage(e) + (flight.command.kind().isWrite()
                    ? " (the command may or may not have been applied; re-sending it with the same id is safe)" : ""));
        }
    }

    private void onConfirm(long seq, boolean multiple, boolean ack) {
        Map<Long, String> settled = multiple ? unconfirmed.headMap(seq, true) : unconfirmed.subMap(seq, true, seq, true);
        for (String commandId : settled.values()) {
            Flight flight = flights.get(commandId);
            if (flight == null) {
                continue;
            }
            if (ack) {
                flight.confirmed = true;
            } else {
                fail(flight, "the broker refused command " + commandId + " (nack); it may or may not have been "
                        + "applied; re-sending it with the same id is safe");
            }
        }
        settled.clear();
    }

    private void onReply(AMQP.BasicProperties props, byte[] body) {
        Flight flight = props.getCorrelationId() == null ? null : flights.get(props.getCorrelationId());
        if (flight == null) {
            return; // a late reply to a command whose outcome was already reported as unknown
        }
        try {
            if (RouteCodec.TYPE.equals(props.getType())) {
                onRoute(flight, RouteCodec.decode(body));
                return;
            }
            Reply reply = ReplyCodec.decode(body);
            WriteWalk walk = flight.walk;
            if (walk == null) {
                flight.reply.complete(reply); // a query's answer, through Mos Eisley
                return;
            }
            switch (walk.onReply(reply)) {
                case FINAL -> flight.reply.complete(reply);
                case NEXT -> publish(flight, Topology.REPLICA_EXCHANGE, walk.replica(), flight.props);
                case IGNORE -> { }
            }
        } catch (IllegalArgumentException e) {
            fail(flight, "unreadable reply to command " + flight.commandId + ": " + e.getMessage());
        }
    }

    /** Mos Eisley's route for a write: the walk starts at its first replica, and the table is learnt. */
    private void onRoute(Flight flight, RouteAnswer route) {
        routeTable.learn(route, System.nanoTime()); // a refusal, or an answer without a table, forgets it
        if (flight.walk != null) {
            return; // one route per flight: a duplicate answer changes nothing
        }
        if (!route.ok()) {
            Command c = flight.command;
            flight.reply.complete(Reply.failure(c.kind(), c.planet(), c.city(), null, null, route.errorCode(),
                    route.errorMessage()));
            return;
        }
        startWalk(flight, route.order());
    }

    /** Starts the write's walk on {@code route}: set before the publish, so that any reply finds it. */
    private void startWalk(Flight flight, List<String> route) {
        WriteWalk walk = new WriteWalk(route);
        flight.walk = walk;
        publish(flight, Topology.REPLICA_EXCHANGE, walk.replica(), flight.props);
    }

    private void fail(String correlationId, String message) {
        Flight flight = correlationId == null ? null : flights.get(correlationId);
        if (flight != null) {
            fail(flight, message);
        }
    }

    private static void fail(Flight flight, String message) {
        flight.reply.completeExceptionally(new UnavailableException(message));
    }

    private void failAll(String message) {
        unconfirmed.clear();
        flights.values().forEach(flight -> fail(flight, message));
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        failAll("the client was closed before the reply came (the command may or may not have been applied)");
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException ignored) {
            // best effort: closing the connection closes the channel anyway
        }
    }
}
