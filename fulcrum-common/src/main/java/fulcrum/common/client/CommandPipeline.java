package fulcrum.common.client;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConfirmListener;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.BatchCodec;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>Writes to one replica are batched by their answers: a write goes at once while fewer than two
 * messages to its replica wait for answers; otherwise it waits until one of them is answered and
 * then goes with every write that waited meanwhile, up to {@code writeBatchMax}, as one
 * {@code CommandBatch} message ({@link BatchCodec}), which the replica answers with one
 * {@code ReplyBatch}. At low load every write goes alone, at once; under load a message carries
 * many, and the broker and the replica handle one message, one delivery, one ack and one answer
 * for all of them.
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
    private final Map<String, CommandFlight> flights = new ConcurrentHashMap<>();
    /** Each unconfirmed publish; a return names its batch, whose writes it fails. */
    private final PublishConfirms<Sent> confirms = new PublishConfirms<>(Sent::batchId);
    private final Object publishLock = new Object();
    /** Commands per message to a replica at most; 1: every write alone, as it is submitted. */
    private final int writeBatchMax;
    /** Which writes go to a replica in which message. Guarded by publishLock. */
    private final ReplicaLanes<CommandFlight> lanes;
    /** Sends a replica's waiting writes once its lane has room again (see {@link #leaveCarrier}). */
    private final ExecutorService sender;
    private final String batchPrefix = "batch-" + UUID.randomUUID() + "-";
    private long nextBatch;
    /** Messages sent to replicas, and the writes they carried (guarded by publishLock). */
    private long messagesToReplicas;
    private long writesToReplicas;
    /** The route table of Mos Eisley's last route answer: while fresh, a write needs no route request. */
    private final RouteTable routeTable = new RouteTable();

    /**
     * One publish awaiting its confirm: a message to a replica (one write or a batch, with how many of
     * its writes still wait for their answer), a route request or a query.
     */
    record Sent(String replica, String batchId, List<CommandFlight> flights, AtomicInteger unanswered) {
        Sent(String replica, String batchId, List<CommandFlight> flights) {
            this(replica, batchId, flights, new AtomicInteger(flights.size()));
        }
    }

    private CommandPipeline(Channel channel, Duration timeout, int writeBatchMax) {
        this.channel = channel;
        this.timeout = timeout;
        this.writeBatchMax = writeBatchMax;
        // a command is at most 16 KiB; its id and the JSON around it add a few dozen bytes
        this.lanes = new ReplicaLanes<>(writeBatchMax, BatchCodec.MAX_BODY_BYTES - 16, f -> f.body.length + 64, f -> f.reply.isDone());
        this.sender = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fulcrum-client-sender");
            thread.setDaemon(true);
            return thread;
        });
        this.deadlines = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "fulcrum-client-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        this.deadlines.setRemoveOnCancelPolicy(true);
    }

    static CommandPipeline open(Connection connection, Duration timeout, int writeBatchMax) throws UnavailableException {
        Channel channel;
        try {
            channel = connection.createChannel();
        } catch (IOException | RuntimeException e) {
            throw new UnavailableException("cannot open a channel: " + Amqp.rootMessage(e), e);
        }
        CommandPipeline pipeline = new CommandPipeline(channel, timeout, writeBatchMax);
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
                pipeline.onReturn(returned.getProperties(), Unroutable.describe(returned.getExchange(), returned.getRoutingKey()));
            });
            // A reply to a lost channel never comes: every command then in flight has an unknown outcome.
            channel.addShutdownListener(cause -> pipeline.failAll("connection lost: " + Amqp.rootMessage(cause)
                    + " (the command may or may not have been applied; re-sending it with the same id is safe)"));
            channel.basicConsume(DIRECT_REPLY_TO, true, (tag, delivery) -> {
                if (BatchCodec.REPLY_BATCH_TYPE.equals(delivery.getProperties().getType())) {
                    pipeline.onBatchReply(delivery.getBody());
                } else {
                    pipeline.onReply(delivery.getProperties(), delivery.getBody());
                }
            }, tag -> { });
            return pipeline;
        } catch (IOException | RuntimeException e) {
            pipeline.close();
            throw new UnavailableException("cannot open a channel: " + Amqp.rootMessage(e), e);
        }
    }

    CompletableFuture<Reply> submit(String commandId, Command command, VectorClock requiredClock, String lastReplica) {
        CommandFlight flight = new CommandFlight(commandId, command, requiredClock, lastReplica,
                Amqp.commandProperties(commandId, command.kind(), DIRECT_REPLY_TO), CommandCodec.encode(command, requiredClock, lastReplica));
        if (flights.putIfAbsent(commandId, flight) != null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "command " + commandId + " is already in flight on this client"));
        }
        flight.reply.whenComplete((reply, error) -> {
            flights.remove(commandId, flight);
            leaveCarrier(flight);
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
        flight.deadline = deadlines.schedule(() -> fail(flight, (!flight.published
                ? "command " + commandId + " was not sent within " + describe(timeout)
                        + " (earlier writes to its replica were still unanswered)"
                : flight.confirmed
                ? "no reply within " + describe(timeout) + " to command " + commandId
                : "no confirm from the broker within " + describe(timeout) + " for command " + commandId)
                + " (it may or may not have been applied; re-sending it with the same id is safe)"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (flight.reply.isDone()) {
            flight.deadline.cancel(false);
        }
        return flight.reply;
    }

    /** Publishes one message of {@code flight} to Mos Eisley (a route request or a query), tracked for its confirm. */
    private void publish(CommandFlight flight, String exchange, String routingKey, AMQP.BasicProperties props) {
        try {
            synchronized (publishLock) {
                confirms.track(channel.getNextPublishSeqNo(), new Sent(null, null, List.of(flight)));
                flight.confirmed = false;
                flight.published = true;
                channel.basicPublish(exchange, routingKey, true, props, flight.body);
            }
        } catch (IOException | RuntimeException e) {
            fail(flight, publishFailure(exchange.isEmpty() ? routingKey : exchange + " (" + routingKey + ")", e,
                    flight.command.kind().isWrite()));
        }
    }

    /**
     * Sends a write to {@code replica} as {@link ReplicaLanes} decides: at once while its replica's
     * lane has room, else with the writes that wait meanwhile, as one batch, once a message to that
     * replica is answered. So batches form by themselves under load, and at low load a write goes
     * alone and at once.
     */
    private void sendToReplica(CommandFlight flight, String replica) {
        synchronized (publishLock) {
            lanes.add(replica, flight);
            publishWaiting(replica);
        }
    }

    /** Publishes what {@link ReplicaLanes} lets go to {@code replica} now. Holds publishLock. */
    private void publishWaiting(String replica) {
        for (List<CommandFlight> batch = lanes.next(replica); batch != null; batch = lanes.next(replica)) {
            if (!publishToReplica(replica, batch)) {
                lanes.release(replica); // a message that could not be sent waits for nothing
            }
        }
    }

    /** One message to {@code replica}: the write alone (its own format), or a batch; false if it could not be sent. */
    private boolean publishToReplica(String replica, List<CommandFlight> batch) {
        String batchId = batch.size() == 1 ? null : batchPrefix + (++nextBatch);
        Sent sent = new Sent(replica, batchId, batch);
        batch.forEach(f -> f.carrier.set(sent));
        long seq = channel.getNextPublishSeqNo();
        try {
            confirms.track(seq, sent);
            batch.forEach(f -> {
                f.confirmed = false;
                f.published = true;
            });
            if (batchId == null) {
                channel.basicPublish(Topology.REPLICA_EXCHANGE, replica, true, batch.get(0).props, batch.get(0).body);
            } else {
                channel.basicPublish(Topology.REPLICA_EXCHANGE, replica, true, Amqp.commandBatchProperties(batchId, DIRECT_REPLY_TO),
                        BatchCodec.encodeCommands(batch.stream()
                                .map(f -> new BatchCodec.Entry(f.commandId, f.command, f.requiredClock, f.lastReplica)).toList()));
            }
            messagesToReplicas++;
            writesToReplicas += batch.size();
            return true;
        } catch (IOException | RuntimeException e) {
            batch.forEach(f -> f.carrier.set(null));
            confirms.untrack(seq);
            String why = publishFailure(Topology.REPLICA_EXCHANGE + " (" + replica + ")", e, true);
            batch.forEach(f -> fail(f, why));
            return false;
        }
    }

    /** Messages published to replicas so far, and the writes they carried (a walk's every step counts). */
    WriteBatching batching() {
        synchronized (publishLock) {
            return new WriteBatching(messagesToReplicas, writesToReplicas);
        }
    }

    private static String publishFailure(String destination, Exception e, boolean write) {
        return "could not publish to " + destination + ": " + Amqp.rootMessage(e)
                + (write ? " (the command may or may not have been applied; re-sending it with the same id is safe)" : "");
    }

    private void onConfirm(long seq, boolean multiple, boolean ack) {
        for (Sent sent : confirms.settle(seq, multiple)) {
            for (CommandFlight flight : sent.flights()) {
                if (ack) {
                    flight.confirmed = true;
                } else {
                    fail(flight, "the broker refused command " + flight.commandId + " (nack); it may or may not have been "
                            + "applied; re-sending it with the same id is safe");
                }
            }
        }
    }

    /**
     * The flight's message no longer waits for it (answered, failed, or walked on to another
     * replica); once none of its writes is left, the replica's lane has room again and what waits
     * goes, from the sender's thread: a flight may end on the connection's I/O thread (a return),
     * which must not publish.
     */
    private void leaveCarrier(CommandFlight flight) {
        Sent sent = flight.carrier.getAndSet(null);
        if (writeBatchMax == 1 || sent == null || sent.unanswered().decrementAndGet() != 0) {
            return;
        }
        try {
            sender.execute(() -> {
                synchronized (publishLock) {
                    lanes.release(sent.replica());
                    publishWaiting(sent.replica());
                }
            });
        } catch (RejectedExecutionException closed) {
            // closing: every flight is failed anyway
        }
    }

    /** A message the broker could not route: the write it carried, or every write of the batch, failed. */
    private void onReturn(AMQP.BasicProperties props, String why) {
        Sent batch = confirms.batch(props.getCorrelationId());
        if (batch != null && BatchCodec.COMMAND_BATCH_TYPE.equals(props.getType())) {
            batch.flights().forEach(f -> fail(f, why));
            return;
        }
        fail(props.getCorrelationId(), why);
    }

    /** The one message that answers a batch: each answer is taken as if it had come alone. */
    private void onBatchReply(byte[] body) {
        List<BatchCodec.IdentifiedReply> replies;
        try {
            replies = BatchCodec.decodeReplies(body);
        } catch (IllegalArgumentException e) {
            return; // not one this client could have asked for: its writes' deadlines report them
        }
        for (BatchCodec.IdentifiedReply r : replies) {
            CommandFlight flight = flights.get(r.commandId());
            if (flight != null) {
                onAnswer(flight, r.reply());
            }
        }
    }

    private void onReply(AMQP.BasicProperties props, byte[] body) {
        CommandFlight flight = props.getCorrelationId() == null ? null : flights.get(props.getCorrelationId());
        if (flight == null) {
            return; // a late reply to a command whose outcome was already reported as unknown
        }
        try {
            if (RouteCodec.TYPE.equals(props.getType())) {
                onRoute(flight, RouteCodec.decode(body));
                return;
            }
            onAnswer(flight, ReplyCodec.decode(body));
        } catch (IllegalArgumentException e) {
            fail(flight, "unreadable reply to command " + flight.commandId + ": " + e.getMessage());
        }
    }

    private void onAnswer(CommandFlight flight, Reply reply) {
        WriteWalk walk = flight.walk;
        if (walk == null) {
            flight.reply.complete(reply); // a query's answer, through Mos Eisley
            return;
        }
        switch (walk.onReply(reply)) {
            case FINAL -> flight.reply.complete(reply);
            case NEXT -> {
                leaveCarrier(flight);
                sendToReplica(flight, walk.replica());
            }
            case IGNORE -> { }
        }
    }

    /** Mos Eisley's route for a write: the walk starts at its first replica, and the table is learnt. */
    private void onRoute(CommandFlight flight, RouteAnswer route) {
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
    private void startWalk(CommandFlight flight, List<String> route) {
        WriteWalk walk = new WriteWalk(route);
        flight.walk = walk;
        sendToReplica(flight, walk.replica());
    }

    private void fail(String correlationId, String message) {
        CommandFlight flight = correlationId == null ? null : flights.get(correlationId);
        if (flight != null) {
            fail(flight, message);
        }
    }

    private static void fail(CommandFlight flight, String message) {
        flight.reply.completeExceptionally(new UnavailableException(message));
    }

    private void failAll(String message) {
        synchronized (publishLock) {
            confirms.clear();
            lanes.clear();
        }
        flights.values().forEach(flight -> fail(flight, message));
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        sender.shutdownNow();
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
