package fulcrum.router;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.DeadLetters;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.ReplicaKnowledge;
import fulcrum.core.session.SessionRouting;
import fulcrum.core.session.WriteRouting;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mos Eisley: takes informant commands and Leia's queries, picks the order in which to offer each to
 * the replicas, forwards the message (same message id and type) to {@code fulcrum.commands} with the
 * first replica's routing key, and acks the inbound message only after the broker confirmed the
 * forward. The replica answers the router, which learns the replica's planet clock from the reply,
 * offers the message to the next replica when the answer is {@code STALE}, and relays any other
 * answer to the client's {@code reply_to} with the client's correlation id.
 *
 * <p>A write walks a fixed order that depends on the message alone ({@link WriteRouting}), so that
 * every attempt of one command, through any router copy, before or after a restart, reaches the
 * replicas in the same order, and at most one of them applies it. A query follows the learnt
 * knowledge ({@link SessionRouting}).
 *
 * <p>The router's state is soft: the routing knowledge and the in-flight table live in memory, so
 * several copies may run and a restarted router starts with none. A crash before the inbound ack
 * means a redelivery and a duplicate forward, which the replica's deduplication absorbs; a crash
 * after it loses only the reply, and the client, after its timeout, re-sends the same id and gets
 * the stored reply.
 *
 * <p>One thread does all the work (forwarding, retries, relays), so the knowledge and the in-flight
 * table need no locks; the AMQP callbacks only enqueue into a bounded inbox.
 */
public final class Router implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);
    /** Forwarded commands remembered for their reply; beyond this the oldest is forgotten (its client times out). */
    static final int MAX_IN_FLIGHT = 50_000;
    /** One query in this many is first offered to another replica than the preferred one. */
    static final int EXPLORE_ONE_IN = 8;

    private final String uri;
    private final String name;
    private final List<String> replicaIds;
    private final SessionRouting routing;
    private final WriteRouting writeRouting;
    private final ReplicaKnowledge knowledge = new ReplicaKnowledge();
    private final int prefetch;
    private final int batchMax;
    private final BlockingQueue<Inbound> inbox;
    /** Bumped at each connection recovery: delivery tags of an older epoch must never be acked. */
    private final AtomicLong epoch = new AtomicLong();
    private final Set<String> returnedIds = ConcurrentHashMap.newKeySet();
    private final LinkedHashMap<String, InFlight> inFlight = new LinkedHashMap<>();
    private volatile boolean running = true;
    private volatile String replyQueue;
    private Connection connection;
    private Channel consumeChannel;
    private Channel publishChannel;
    private Thread loop;

    /** A delivery from one of the consumed queues: a client's command, or a replica's reply. */
    private record Inbound(long epoch, String queue, Delivery delivery, boolean isReply) {
    }

    public Router(String uri, String name, List<String> replicaIds, SessionRouting routing, int prefetch, int batchMax) {
        this.uri = uri;
        this.name = name;
        this.replicaIds = List.copyOf(replicaIds);
        this.routing = routing;
        this.writeRouting = new WriteRouting(routing.replicas());
        this.prefetch = prefetch;
        this.batchMax = batchMax;
        // Three consumers (commands, queries, replies), each with at most `prefetch` unacked deliveries.
        this.inbox = new ArrayBlockingQueue<>(3 * prefetch);
    }

    public void start(Duration connectDeadline) throws IOException, TimeoutException {
        connection = Amqp.connect(uri, name, connectDeadline);
        ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                LOG.info("connection recovered");
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                epoch.incrementAndGet();
                inbox.clear();
                LOG.warn("connection lost; recovering (unacked deliveries will come again)");
            }
        });
        // Topology recovery re-declares the server-named reply queue under a new name.
        ((AutorecoveringConnection) connection).addQueueRecoveryListener((oldName, newName) -> {
            if (oldName.equals(replyQueue)) {
                replyQueue = newName;
            }
        });
        try (Channel setup = connection.createChannel()) {
            Topology.declare(setup, replicaIds);
        }
        publishChannel = connection.createChannel();
        publishChannel.confirmSelect();
        publishChannel.addReturnListener(r -> returnedIds.add(String.valueOf(r.getProperties().getMessageId())));
        consumeChannel = connection.createChannel();
        consumeChannel.basicQos(prefetch);
        replyQueue = consumeChannel.queueDeclare().getQueue();
        consumeChannel.basicConsume(replyQueue, false, name + "-replies",
                (tag, delivery) -> enqueue(new Inbound(epoch.get(), replyQueue, delivery, true)), tag -> { });
        for (String queue : List.of(Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES)) {
            consumeChannel.basicConsume(queue, false, name + "-" + queue,
                    (tag, delivery) -> enqueue(new Inbound(epoch.get(), queue, delivery, false)), tag -> { });
        }
        loop = new Thread(this::runLoop, "router-forward");
        loop.start();
    }

    private void enqueue(Inbound inbound) {
        try {
            // Bounded by prefetch: the broker never sends more than the inbox can hold.
            inbox.put(inbound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runLoop() {
        List<Inbound> batch = new ArrayList<>(batchMax);
        while (running) {
            try {
                Inbound first = inbox.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                inbox.drainTo(batch, batchMax - 1);
                process(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException | TimeoutException e) {
                // Nothing of this batch was acked: hand it back so it is processed again (replicas
                // deduplicate by message id). After a connection loss the broker requeues it anyway.
                LOG.warn("batch of {} not forwarded: {}", batch.size(), Amqp.rootMessage(e));
                requeue(batch);
            } finally {
                batch.clear();
            }
        }
    }

    private void requeue(List<Inbound> batch) {
        long currentEpoch = epoch.get();
        List<Inbound> live = batch.stream().filter(i -> i.epoch() == currentEpoch).toList();
        if (live.isEmpty() || !consumeChannel.isOpen()) {
            return;
        }
        try {
            consumeChannel.basicNack(lastTag(live), true, true);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not requeue: {}", Amqp.rootMessage(e));
        }
    }

    private void process(List<Inbound> batch) throws IOException, InterruptedException, TimeoutException {
        long currentEpoch = epoch.get();
        List<Inbound> live = batch.stream().filter(i -> i.epoch() == currentEpoch).toList();
        if (live.isEmpty()) {
            return;
        }
        returnedIds.clear();
        Map<String, Inbound> forwarded = new LinkedHashMap<>();
        for (Inbound inbound : live) {
            if (inbound.isReply()) {
                onReplicaReply(inbound.delivery());
            } else {
                onClientMessage(inbound, forwarded);
            }
        }
        if (!publishChannel.waitForConfirms(CONFIRM_TIMEOUT.toMillis())) {
            throw new IOException("the broker nacked a forward");
        }
        // A return always precedes the confirm, so the set of returned ids is complete here.
        boolean anyReturned = false;
        for (Map.Entry<String, Inbound> f : forwarded.entrySet()) {
            if (returnedIds.contains(String.valueOf(f.getValue().delivery().getProperties().getMessageId()))) {
                inFlight.remove(f.getKey());
                reject(f.getValue(), ErrorCode.UNAVAILABLE, "no replica queue bound for the chosen replica");
                anyReturned = true;
            }
        }
        if (anyReturned && !publishChannel.waitForConfirms(CONFIRM_TIMEOUT.toMillis())) {
            throw new IOException("the broker nacked a dead letter");
        }
        CrashPoints.hit(CrashPoints.ROUTER_AFTER_FORWARD_BEFORE_ACK);
        if (epoch.get() != currentEpoch) {
            return; // recovered meanwhile: these tags belong to a dead channel
        }
        consumeChannel.basicAck(lastTag(live), true);
    }

    private void onClientMessage(Inbound inbound, Map<String, Inbound> forwarded) throws IOException {
        AMQP.BasicProperties props = inbound.delivery().getProperties();
        byte[] body = inbound.delivery().getBody();
        CommandCodec.Envelope envelope;
        try {
            if (props.getMessageId() == null || props.getMessageId().isBlank()) {
                throw new InvalidCommandException(ErrorCode.BAD_MESSAGE, "message has no message_id (the command id)");
            }
            envelope = CommandCodec.decodeEnvelope(body, props.getType());
        } catch (InvalidCommandException e) {
            reject(inbound, e.code(), e.getMessage());
            return;
        }
        List<String> order = envelope.command().kind().isWrite()
                ? writeRouting.order(props.getMessageId(), envelope.lastReplica())
                : queryOrder(props.getMessageId(), envelope);
        String correlation = UUID.randomUUID().toString();
        InFlight flight = new InFlight(props, body, envelope.command(), order, 0);
        remember(correlation, flight);
        send(correlation, flight);
        forwarded.put(correlation, inbound);
    }

    /**
     * A query may go anywhere that holds the session's state (a query has no effect to duplicate),
     * so it follows the knowledge: replicas known to dominate first.
     */
    private List<String> queryOrder(String messageId, CommandCodec.Envelope envelope) {
        VectorClock required = envelope.requiredClock() == null ? VectorClock.empty() : envelope.requiredClock();
        Random random = new Random(messageId.hashCode());
        List<String> order = new SessionRouting(routing.replicas(), random)
                .order(envelope.command().planet(), required, envelope.lastReplica(), knowledge);
        if (order.size() > 1 && random.nextInt(EXPLORE_ONE_IN) == 0) {
            // The router learns a replica's clocks only from its replies, so a replica that caught up
            // by merging would otherwise never be known to hold a session's state and never get its
            // queries. Now and then ask another one first: safe, because it answers STALE if it
            // lacks the state and the router then goes on down the order.
            order = new ArrayList<>(order);
            Collections.swap(order, 0, 1 + random.nextInt(order.size() - 1));
        }
        return order;
    }

    private void onReplicaReply(Delivery delivery) throws IOException {
        InFlight flight = inFlight.remove(String.valueOf(delivery.getProperties().getCorrelationId()));
        if (flight == null) {
            return; // a reply to a command this router forgot (restart, table full): its client retries
        }
        Reply reply;
        try {
            reply = ReplyCodec.decode(delivery.getBody());
        } catch (IllegalArgumentException e) {
            LOG.warn("unreadable reply from {}: {}", flight.replica(), e.getMessage());
            relay(flight, delivery.getBody());
            return;
        }
        knowledge.learn(reply);
        if (!reply.ok() && reply.errorCode() == ErrorCode.STALE && flight.canRetry()) {
            InFlight next = flight.next();
            LOG.debug("{} is stale for {}; trying {}", flight.replica(), flight.client().getMessageId(), next.replica());
            String correlation = UUID.randomUUID().toString();
            remember(correlation, next);
            send(correlation, next);
            return;
        }
        relay(flight, delivery.getBody());
    }

    private void send(String correlation, InFlight flight) throws IOException {
        AMQP.BasicProperties forward = flight.client().builder()
                .deliveryMode(2)
                .replyTo(replyQueue)
                .correlationId(correlation)
                .build();
        publishChannel.basicPublish(Topology.REPLICA_EXCHANGE, flight.replica(), true, forward, flight.body());
    }

    private void relay(InFlight flight, byte[] replyBody) throws IOException {
        AMQP.BasicProperties client = flight.client();
        if (client.getReplyTo() == null || client.getReplyTo().isEmpty()) {
            return;
        }
        String correlationId = client.getCorrelationId() != null ? client.getCorrelationId() : client.getMessageId();
        publishChannel.basicPublish("", client.getReplyTo(), false,
                Amqp.replyProperties(correlationId, flight.command().kind().name()), replyBody);
    }

    private void remember(String correlation, InFlight flight) {
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            String oldest = inFlight.keySet().iterator().next();
            inFlight.remove(oldest);
            LOG.warn("in-flight table full ({}): forgot the oldest forward; its client will time out", MAX_IN_FLIGHT);
        }
        inFlight.put(correlation, flight);
    }

    private void reject(Inbound inbound, ErrorCode code, String reason) throws IOException {
        AMQP.BasicProperties props = inbound.delivery().getProperties();
        LOG.warn("dead-lettering message {} from {}: {} {}", props.getMessageId(), inbound.queue(), code, reason);
        DeadLetters.replyIfAsked(publishChannel, props, Reply.failure(null, null, null, null, null, code, reason));
        DeadLetters.publish(publishChannel, props, inbound.delivery().getBody(), code.name(), reason, inbound.queue(), name);
    }

    private static long lastTag(List<Inbound> live) {
        long last = -1;
        for (Inbound i : live) {
            last = Math.max(last, i.delivery().getEnvelope().getDeliveryTag());
        }
        return last;
    }

    @Override
    public void close() {
        running = false;
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (connection != null) {
            try {
                connection.close(5000);
            } catch (IOException | RuntimeException e) {
                LOG.debug("close: {}", e.getMessage());
            }
        }
    }
}
