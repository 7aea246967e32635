package fulcrum.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.ConfirmTracker;
import fulcrum.common.amqp.DeadLetters;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.BatchCodec;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.Ready;
import fulcrum.core.node.ReplyAddress;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of RabbitMQ: one connection, a consuming channel per queue (commands, merge,
 * status), a confirm channel for what must be durable (peer messages, dead letters) and a plain
 * channel for replies and announcements. The consumers only enqueue into the loop's bounded inbox;
 * everything else is called from the loop thread. Confirms are taken asynchronously
 * ({@link ConfirmTracker}): the loop publishes a batch and goes on, and asks later whether the
 * batch's publications were confirmed.
 *
 * <p>Delivery tags are per channel and restart when automatic recovery opens a new channel, so each
 * source has an epoch, raised when recovery starts; a tag of an older epoch is never acked (the
 * broker has requeued it).
 */
final class BrokerLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLink.class);

    private final WorkerSettings settings;
    /** {@code fulcrum-worker/<replica id>}: the AMQP app id of everything this replica publishes. */
    private final String appId;
    /** The connection's user: the user_id of every peer message, which the broker checks and peers trust. */
    private final String user;
    private final BlockingQueue<Inbound> inbox;
    private final Consumer<Throwable> onFatal;
    private final ConfirmTracker tracker;
    private final EnumMap<DeliveryRef.Source, AtomicLong> epochs = new EnumMap<>(DeliveryRef.Source.class);
    private final EnumMap<DeliveryRef.Source, Channel> consuming = new EnumMap<>(DeliveryRef.Source.class);
    private final Set<String> returned = ConcurrentHashMap.newKeySet();
    private final AtomicLong statusTags = new AtomicLong();
    private Connection connection;
    private Channel confirms;
    private Channel plain;
    private String statusQueue;
    private volatile String commandConsumerTag;
    private String mergeConsumerTag;
    private String statusConsumerTag;
    private volatile boolean stopping;

    /** @param onConfirm called (from the connection's threads) when a confirm arrives or confirms are lost */
    BrokerLink(WorkerSettings settings, BlockingQueue<Inbound> inbox, Consumer<Throwable> onFatal, Runnable onConfirm) {
        this.settings = settings;
        this.appId = Worker.COMPONENT + "/" + settings.replicaId();
        this.user = settings.brokerUser();
        this.inbox = inbox;
        this.onFatal = onFatal;
        this.tracker = new ConfirmTracker(onConfirm);
        for (DeliveryRef.Source s : DeliveryRef.Source.values()) {
            epochs.put(s, new AtomicLong());
        }
    }

    /** Connects (retrying until the connect timeout), declares the topology, consumes merge and status. */
    void open() throws IOException, TimeoutException {
        connection = Amqp.connect(settings.uri(), Worker.COMPONENT + "-" + settings.replicaId(), settings.connectTimeout());
        ((Recoverable) connection).addRecoveryListener(new EpochListener(DeliveryRef.Source.values()));
        if (!Topology.ensure(connection, settings.replicaIds())) {
            LOG.info("topology checked as user {} (it may not declare it)", user);
        }
        Channel commands = connection.createChannel();
        ((Recoverable) commands).addRecoveryListener(new EpochListener(DeliveryRef.Source.COMMANDS));
        commands.basicQos(settings.prefetch());
        consuming.put(DeliveryRef.Source.COMMANDS, commands);
        Channel merge = connection.createChannel();
        ((Recoverable) merge).addRecoveryListener(new EpochListener(DeliveryRef.Source.MERGE));
        merge.basicQos(WorkerSettings.MERGE_PREFETCH);
        consuming.put(DeliveryRef.Source.MERGE, merge);
        Channel status = connection.createChannel();
        consuming.put(DeliveryRef.Source.STATUS, status);
        confirms = connection.createChannel();
        confirms.confirmSelect();
        confirms.addConfirmListener(tracker);
        confirms.addShutdownListener(cause -> tracker.newEpoch());
        ((Recoverable) confirms).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                tracker.newEpoch(); // the new channel numbers its publications from 1 again
            }

            @Override
            public void handleRecovery(Recoverable recoverable) {
            }
        });
        confirms.addReturnListener(r -> returned.add(String.valueOf(r.getProperties().getMessageId())));
        plain = connection.createChannel();
        statusQueue = status.queueDeclare("", false, true, true, null).getQueue();
        status.queueBind(statusQueue, Topology.STATUS_EXCHANGE, "");
        statusConsumerTag = status.basicConsume(statusQueue, true, new InboxConsumer(status, DeliveryRef.Source.STATUS, statusQueue));
        mergeConsumerTag = merge.basicConsume(settings.mergeQueue(), false, Worker.COMPONENT + "-" + settings.replicaId() + "-merge",
                new InboxConsumer(merge, DeliveryRef.Source.MERGE, settings.mergeQueue()));
    }

    /** Consumes the command queue while the node serves, and only then. */
    void consumeCommands(boolean serving) throws IOException {
        Channel commands = consuming.get(DeliveryRef.Source.COMMANDS);
        if (serving && commandConsumerTag == null) {
            commandConsumerTag = commands.basicConsume(settings.commandQueue(), false,
                    Worker.COMPONENT + "-" + settings.replicaId(), new InboxConsumer(commands, DeliveryRef.Source.COMMANDS,
                            settings.commandQueue()));
            LOG.info("{} serves: consuming {}", settings.replicaId(), settings.commandQueue());
        } else if (!serving && commandConsumerTag != null) {
            String tag = commandConsumerTag;
            commandConsumerTag = null;
            cancelQuietly(commands, tag);
            LOG.info("{} does not serve: stopped consuming {}", settings.replicaId(), settings.commandQueue());
        }
    }

    /** Whether the command queue has a consumer of this worker now. */
    boolean consumingCommands() {
        return commandConsumerTag != null;
    }

    /** Whether the connection is up (false while automatic recovery reconnects). */
    boolean isOpen() {
        Connection c = connection;
        return c != null && c.isOpen();
    }

    long epoch(DeliveryRef.Source source) {
        return epochs.get(source).get();
    }

    /** Where the next publications of a batch start: see {@link #publicationsSince}. */
    ConfirmTracker.Range publicationStart() {
        return tracker.start(confirms.getNextPublishSeqNo());
    }

    /** The publications made since {@code start} (on the loop thread, which alone publishes on the confirm channel). */
    ConfirmTracker.Range publicationsSince(ConfirmTracker.Range start) {
        return ConfirmTracker.since(start, confirms.getNextPublishSeqNo());
    }

    /**
     * Whether every publication of {@code range} was confirmed; a nack, a lost channel or a returned
     * message fails it. (A return is not matched to its batch: any return fails the batch that sees
     * it, which is safe, since a failed batch is published again, and means a broken topology anyway.)
     */
    ConfirmTracker.Outcome outcome(ConfirmTracker.Range range) {
        ConfirmTracker.Outcome outcome = tracker.outcome(range);
        if (outcome == ConfirmTracker.Outcome.CONFIRMED && !range.isEmpty() && !returned.isEmpty()) {
            String ids = String.join(", ", returned);
            returned.clear();
            LOG.warn("the broker returned message(s) {} as unroutable (is the topology declared?)", ids);
            return ConfirmTracker.Outcome.FAILED;
        }
        return outcome;
    }

    /** The batch of {@code range} is settled. */
    void forget(ConfirmTracker.Range range) {
        tracker.forget(range);
    }

    /** The AMQP app id this replica's messages carry: {@code fulcrum-worker/<replica id>}. */
    String appId() {
        return appId;
    }

    /** Publishes one peer message persistently on the confirm channel (mandatory: unroutable is a failure). */
    void publish(Ready.Outbound out) throws IOException {
        PeerMessage m = out.message();
        String id = messageId(m);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(PeerCodec.contentType(m))
                .deliveryMode(2)
                .type(m.type())
                .messageId(id)
                .appId(appId)
                .userId(user)
                .build();
        byte[] body = PeerCodec.encode(m);
        tracker.publishing(confirms.getNextPublishSeqNo());
        if (out.route() == Ready.Route.MERGE_FANOUT) {
            confirms.basicPublish(Topology.MERGE_EXCHANGE, "", true, props, body);
        } else {
            confirms.basicPublish("", Topology.replicaMergeQueue(out.to()), true, props, body);
        }
    }

    /** Moves a delivery to the dead-letter exchange with the reason (confirmed with the batch). */
    void deadLetter(Inbound delivery, String code, String reason) throws IOException {
        tracker.publishing(confirms.getNextPublishSeqNo());
        DeadLetters.publish(confirms, delivery.properties(), delivery.body(), code, reason, delivery.queue(),
                appId);
    }

    /** Answers with {@code body}, the reply as {@code ReplyCodec} encoded it. */
    void reply(Ready.OutboundReply r, byte[] body) throws IOException {
        String type = r.reply().command() == null ? null : r.reply().command().name();
        plain.basicPublish("", r.address().replyTo(), false, Amqp.replyProperties(r.address().correlationId(), type), body);
    }

    /** The one message that answers a batch of commands. */
    void replyBatch(ReplyAddress address, byte[] body) throws IOException {
        plain.basicPublish("", address.replyTo(), false, Amqp.replyProperties(address.correlationId(), BatchCodec.REPLY_BATCH_TYPE), body);
    }

    void announce(ReplicaStatus status) {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(Amqp.CONTENT_TYPE)
                .deliveryMode(1)
                .type(status.type())
                .appId(appId)
                .userId(user)
                .build();
        try {
            plain.basicPublish(Topology.STATUS_EXCHANGE, "", false, props, PeerCodec.encode(status));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot announce status ({}); next interval", Amqp.rootMessage(e));
        }
    }

    /** Acks up to {@code tag} (and every earlier delivery) of {@code source}, if its channel is still that epoch's. */
    void ackUpTo(DeliveryRef.Source source, long epoch, long tag) throws IOException {
        if (source != DeliveryRef.Source.STATUS && epoch == epoch(source)) {
            consuming.get(source).basicAck(tag, true);
        }
    }

    void ack(DeliveryRef ref) throws IOException {
        if (ref.source() != DeliveryRef.Source.STATUS && ref.epoch() == epoch(ref.source())) {
            consuming.get(ref.source()).basicAck(ref.tag(), false);
        }
    }

    /** Hands a delivery back to its queue (best effort: a dead channel's deliveries come back anyway). */
    void requeue(DeliveryRef ref) {
        if (ref.source() == DeliveryRef.Source.STATUS || ref.epoch() != epoch(ref.source())) {
            return;
        }
        try {
            consuming.get(ref.source()).basicNack(ref.tag(), false, true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("requeue failed: {}", Amqp.rootMessage(e));
        }
    }

    /** Stops every consumer; the deliveries not acked return to their queues when the connection closes. */
    void stopConsuming() {
        stopping = true;
        cancelQuietly(consuming.get(DeliveryRef.Source.COMMANDS), commandConsumerTag);
        cancelQuietly(consuming.get(DeliveryRef.Source.MERGE), mergeConsumerTag);
        cancelQuietly(consuming.get(DeliveryRef.Source.STATUS), statusConsumerTag);
    }

    @Override
    public void close() {
        Connection c = connection;
        if (c == null) {
            return;
        }
        try {
            if (c.isOpen()) {
                c.close(5_000);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing the connection failed: {}", Amqp.rootMessage(e));
            c.abort(1_000);
        }
    }

    private static String messageId(PeerMessage m) {
        if (m instanceof Delta d) {
            return d.origin() + "/" + d.operations().get(0).originSeq() + "-" + d.operations().get(d.operations().size() - 1).originSeq();
        }
        return m.type() + "/" + UUID.randomUUID();
    }

    private static void cancelQuietly(Channel channel, String tag) {
        if (channel != null && tag != null && channel.isOpen()) {
            try {
                channel.basicCancel(tag);
            } catch (IOException | RuntimeException e) {
                LOG.debug("cancelling consumer {} failed: {}", tag, Amqp.rootMessage(e));
            }
        }
    }

    private final class EpochListener implements RecoveryListener {
        private final DeliveryRef.Source[] sources;

        EpochListener(DeliveryRef.Source... sources) {
            this.sources = sources;
        }

        @Override
        public void handleRecoveryStarted(Recoverable recoverable) {
            for (DeliveryRef.Source s : sources) {
                epochs.get(s).incrementAndGet();
            }
            if (recoverable instanceof Connection) {
                LOG.warn("connection to the broker lost; recovering");
            }
        }

        @Override
        public void handleRecovery(Recoverable recoverable) {
            if (recoverable instanceof Connection) {
                LOG.info("connection to the broker recovered");
            }
        }
    }

    private final class InboxConsumer extends DefaultConsumer {
        private final DeliveryRef.Source source;
        private final String queue;

        InboxConsumer(Channel channel, DeliveryRef.Source source, String queue) {
            super(channel);
            this.source = source;
            this.queue = queue;
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            long deliveryTag = source == DeliveryRef.Source.STATUS ? statusTags.incrementAndGet() : envelope.getDeliveryTag();
            Inbound in = new Inbound(new DeliveryRef(source, epochs.get(source).get(), deliveryTag), properties, body, queue,
                    System.nanoTime());
            if (inbox.offer(in) || source == DeliveryRef.Source.STATUS) {
                return; // an announcement that does not fit is dropped: the next one comes soon
            }
            LOG.warn("inbox full; returning {} delivery {} to its queue", source, deliveryTag);
            try {
                getChannel().basicNack(deliveryTag, false, true);
            } catch (IOException | RuntimeException e) {
                LOG.debug("nack failed: {}", Amqp.rootMessage(e));
            }
        }

        @Override
        public void handleCancel(String tag) {
            if (!stopping) {
                onFatal.accept(new IllegalStateException("the broker cancelled the consumer of " + queue + " (queue deleted?)"));
            }
        }
    }
}
