package fulcrum.router;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.DeadLetters;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.replica.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mos Eisley: takes informant commands and Leia's queries, picks a replica, forwards the message
 * unchanged (id, reply_to, correlation_id) to {@code fulcrum.commands} with that replica's routing
 * key, and acks the inbound message only after the broker confirmed the forward. It keeps no state,
 * so several copies may run; a crash before the ack means a redelivery and a duplicate forward,
 * which the replica's deduplication by message id absorbs.
 */
public final class Router implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    private final String uri;
    private final String name;
    private final List<String> replicaIds;
    private final ReplicaChooser chooser;
    private final int prefetch;
    private final int batchMax;
    private final BlockingQueue<Inbound> inbox;
    /** Bumped at each connection recovery: delivery tags of an older epoch must never be acked. */
    private final AtomicLong epoch = new AtomicLong();
    private final Set<String> returnedIds = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private Connection connection;
    private Channel consumeChannel;
    private Channel publishChannel;
    private Thread loop;

    private record Inbound(long epoch, String queue, Delivery delivery) {
    }

    public Router(String uri, String name, List<String> replicaIds, ReplicaChooser chooser, int prefetch, int batchMax) {
        this.uri = uri;
        this.name = name;
        this.replicaIds = List.copyOf(replicaIds);
        this.chooser = chooser;
        this.prefetch = prefetch;
        this.batchMax = batchMax;
        // Two queues are consumed, each with at most `prefetch` unacked deliveries.
        this.inbox = new ArrayBlockingQueue<>(2 * prefetch);
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
        try (Channel setup = connection.createChannel()) {
            Topology.declare(setup, replicaIds);
        }
        publishChannel = connection.createChannel();
        publishChannel.confirmSelect();
        publishChannel.addReturnListener(r -> returnedIds.add(String.valueOf(r.getProperties().getMessageId())));
        consumeChannel = connection.createChannel();
        consumeChannel.basicQos(prefetch);
        for (String queue : List.of(Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES)) {
            consumeChannel.basicConsume(queue, false, name + "-" + queue,
                    (tag, delivery) -> enqueue(new Inbound(epoch.get(), queue, delivery)), tag -> { });
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
                forward(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException | TimeoutException e) {
                // Nothing of this batch was acked: hand it back so it is forwarded again (replicas
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
            consumeChannel.basicNack(live.get(live.size() - 1).delivery().getEnvelope().getDeliveryTag(), true, true);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not requeue: {}", Amqp.rootMessage(e));
        }
    }

    private void forward(List<Inbound> batch) throws IOException, InterruptedException, TimeoutException {
        long currentEpoch = epoch.get();
        List<Inbound> live = batch.stream().filter(i -> i.epoch() == currentEpoch).toList();
        if (live.isEmpty()) {
            return;
        }
        returnedIds.clear();
        List<Inbound> forwarded = new ArrayList<>();
        for (Inbound inbound : live) {
            AMQP.BasicProperties props = inbound.delivery().getProperties();
            byte[] body = inbound.delivery().getBody();
            try {
                if (props.getMessageId() == null || props.getMessageId().isBlank()) {
                    throw new InvalidCommandException(ErrorCode.BAD_MESSAGE, "message has no message_id (the command id)");
                }
                Command command = CommandCodec.decode(body, props.getType());
                String replica = chooser.choose(command);
                publishChannel.basicPublish(Topology.REPLICA_EXCHANGE, replica, true,
                        props.builder().deliveryMode(2).build(), body);
                forwarded.add(inbound);
            } catch (InvalidCommandException e) {
                reject(inbound, e.code(), e.getMessage());
            }
        }
        if (!publishChannel.waitForConfirms(CONFIRM_TIMEOUT.toMillis())) {
            throw new IOException("the broker nacked a forward");
        }
        // A return always precedes the confirm, so the set of returned ids is complete here.
        boolean anyReturned = false;
        for (Inbound inbound : forwarded) {
            if (returnedIds.contains(String.valueOf(inbound.delivery().getProperties().getMessageId()))) {
                reject(inbound, ErrorCode.UNAVAILABLE, "no replica queue bound for the chosen replica");
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
        long lastTag = live.get(live.size() - 1).delivery().getEnvelope().getDeliveryTag();
        consumeChannel.basicAck(lastTag, true);
    }

    private void reject(Inbound inbound, ErrorCode code, String reason) throws IOException {
        AMQP.BasicProperties props = inbound.delivery().getProperties();
        LOG.warn("dead-lettering message {} from {}: {} {}", props.getMessageId(), inbound.queue(), code, reason);
        DeadLetters.replyIfAsked(publishChannel, props, Reply.failure(null, null, null, null, null, code, reason));
        DeadLetters.publish(publishChannel, props, inbound.delivery().getBody(), code.name(), reason, inbound.queue(), name);
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
