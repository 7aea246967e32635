package fulcrum.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.DeadLetters;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.Reply;
import fulcrum.core.replica.Step;
import fulcrum.worker.store.CommitBatch;
import fulcrum.worker.store.ReplicaStore;
import fulcrum.worker.store.StoredState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's command loop: consumes {@code fulcrum.<id>.commands}, executes commands on the
 * in-memory {@link Replica}, makes each batch durable with ONE synced store commit, and only then
 * sends the replies and acknowledges the whole batch with one multiple-ack.
 *
 * <p>Threads: the AMQP consumer callback only enqueues deliveries into a bounded inbox (never
 * blocks: if the inbox is full, which the prefetch bound should prevent, the delivery is nacked
 * back to the queue). One loop thread drains up to {@code batchMax} deliveries at a time and does
 * everything else, so the replica and the store are used by one thread only.
 *
 * <p>Delivery tags are per channel and restart when automatic recovery opens a new channel, so
 * every delivery is tagged with the recovery epoch it arrived in; the epoch is incremented when
 * connection or channel recovery starts (before the new channel exists). Deliveries of an older
 * epoch are dropped without ack (the broker requeued them when the old channel died; dedup makes
 * the redelivery safe), and a batch whose epoch changed while it was processed is not acked.
 *
 * <p>A failed commit is fatal: memory is then ahead of disk, so the worker hands the error to the
 * fatal handler (the process exits non-zero and a restart reloads the store).
 */
public final class Worker {
    public static final String COMPONENT = "fulcrum-worker";
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final long CONFIRM_TIMEOUT_MS = 30_000;
    private static final long STOP_TIMEOUT_MS = 60_000;

    private final WorkerSettings settings;
    private final ReplicaStore store;
    private final Replica replica;
    private final Consumer<Throwable> onFatal;
    private final BlockingQueue<Inbound> inbox;
    private final AtomicLong epoch = new AtomicLong();
    private final CountDownLatch loopDone = new CountDownLatch(1);

    private volatile boolean running;
    private volatile boolean stopping;
    private Connection connection;
    private Channel channel;
    private Channel confirmChannel;
    private String consumerTag;
    private Thread loop;

    /** A delivery and the recovery epoch of the channel it arrived on. */
    private record Inbound(long epoch, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    }

    /** A reply to send once the batch is durable. */
    private record Outgoing(AMQP.BasicProperties request, Reply reply) {
    }

    /** A message to dead-letter once the batch is durable. */
    private record DeadLetter(Inbound delivery, ErrorCode code, String reason) {
    }

    /**
     * @param store   an open store; the caller keeps ownership and closes it after {@link #stop()}
     * @param onFatal called (from the loop thread) when the worker cannot go on safely, e.g. a
     *                failed commit; the process should exit non-zero
     */
    public Worker(WorkerSettings settings, ReplicaStore store, Consumer<Throwable> onFatal) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.store = Objects.requireNonNull(store, "store");
        this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
        StoredState state = store.loadState();
        this.replica = new Replica(settings.replicaId(), settings.replicaIds(), state.planets(), state.appliedSeq());
        // at most prefetch unacked deliveries per channel, plus leftovers of a channel that just died
        this.inbox = new ArrayBlockingQueue<>(2 * settings.prefetch());
    }

    /**
     * Connects, declares the topology and starts consuming. Returns once the broker has confirmed
     * the consumer.
     *
     * @throws IOException when the broker cannot be reached within the connect timeout
     */
    public synchronized void start() throws IOException, TimeoutException {
        if (connection != null) {
            throw new IllegalStateException("already started");
        }
        connection = Amqp.connect(settings.uri(), COMPONENT + "-" + settings.replicaId(), settings.connectTimeout());
        try {
            RecoveryListener newEpoch = new EpochListener();
            ((Recoverable) connection).addRecoveryListener(newEpoch);
            channel = connection.createChannel();
            ((Recoverable) channel).addRecoveryListener(newEpoch);
            Topology.declare(channel, settings.replicaIds());
            confirmChannel = connection.createChannel();
            confirmChannel.confirmSelect();

            running = true;
            loop = new Thread(this::runLoop, COMPONENT + "-" + settings.replicaId() + "-loop");
            loop.start();

            channel.basicQos(settings.prefetch());
            consumerTag = channel.basicConsume(settings.commandQueue(), false, COMPONENT + "-" + settings.replicaId(),
                    new InboxConsumer(channel));
        } catch (IOException | RuntimeException e) {
            running = false;
            closeConnectionQuietly();
            throw e;
        }
        LOG.info("{} consuming {} (prefetch {}, batch-max {}), {} planet(s), applied {}", settings.replicaId(),
                settings.commandQueue(), settings.prefetch(), settings.batchMax(), replica.planets().size(),
                replica.appliedSeq());
    }

    /**
     * Stops consuming, lets the loop finish the batch it is on (durable, replied, acked), then
     * closes the connection. Deliveries still waiting in the inbox are not acked; the broker
     * requeues them. Does not close the store.
     */
    public void stop() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        if (channel != null && consumerTag != null && channel.isOpen()) {
            try {
                channel.basicCancel(consumerTag);
            } catch (IOException | RuntimeException e) {
                LOG.debug("cancelling the consumer failed: {}", Amqp.rootMessage(e));
            }
        }
        running = false;
        if (loop != null && Thread.currentThread() != loop) {
            try {
                if (!loopDone.await(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    LOG.warn("the command loop did not finish within {} ms", STOP_TIMEOUT_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeConnectionQuietly();
        LOG.info("{} stopped", settings.replicaId());
    }

    /** The in-memory replica; only for tests that inspect it while the worker is stopped. */
    Replica replica() {
        return replica;
    }

    // ---- the loop ---------------------------------------------------------------------------

    private void runLoop() {
        List<Inbound> batch = new ArrayList<>(settings.batchMax());
        try {
            while (running) {
                Inbound first = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                inbox.drainTo(batch, settings.batchMax() - 1);
                processBatch(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            running = false;
            loopDone.countDown();
            onFatal.accept(t);
            return;
        }
        loopDone.countDown();
    }

    private void processBatch(List<Inbound> batch) throws InterruptedException {
        long batchEpoch = epoch.get();
        CommitBatch commit = new CommitBatch();
        List<Outgoing> replies = new ArrayList<>(batch.size());
        List<DeadLetter> deadLetters = new ArrayList<>();
        Map<String, Reply> handledInBatch = new HashMap<>();
        long lastTag = -1;
        int stale = 0;
        int duplicates = 0;
        for (Inbound d : batch) {
            if (d.epoch() != batchEpoch) {
                stale++;
                continue; // from a channel that no longer exists: the broker redelivers it
            }
            lastTag = Math.max(lastTag, d.envelope().getDeliveryTag());
            AMQP.BasicProperties props = d.properties();
            String commandId = props.getMessageId();
            if (commandId == null || commandId.isBlank()) {
                reject(d, ErrorCode.BAD_MESSAGE, "message has no message_id (the command id)", replies, deadLetters);
                continue;
            }
            Command command;
            try {
                command = CommandCodec.decode(d.body(), props.getType());
            } catch (InvalidCommandException e) {
                reject(d, e.code(), e.getMessage(), replies, deadLetters);
                continue;
            }
            boolean write = command.kind().isWrite();
            if (write) {
                Reply earlier = handledInBatch.get(commandId);
                if (earlier == null) {
                    earlier = store.findReply(commandId).orElse(null);
                }
                if (earlier != null) {
                    duplicates++;
                    replies.add(new Outgoing(props, earlier));
                    continue;
                }
            }
            Step step = replica.execute(commandId, command);
            if (step.changedState()) {
                commit.putPlanet(step.planetAfter());
                commit.addOperation(step.operation());
            }
            if (write) {
                commit.putReply(commandId, step.reply());
                handledInBatch.put(commandId, step.reply());
            }
            replies.add(new Outgoing(props, step.reply()));
        }
        if (stale > 0) {
            LOG.info("dropped {} delivery(ies) of a channel that recovery replaced; the broker redelivers them", stale);
        }
        if (lastTag < 0) {
            return;
        }

        // Durability first. A failure here propagates to the loop and is fatal: memory is ahead of disk.
        store.commit(commit);
        CrashPoints.hit(CrashPoints.AFTER_COMMIT_BEFORE_ACK);

        try {
            if (!deadLetters.isEmpty()) {
                for (DeadLetter dl : deadLetters) {
                    DeadLetters.publish(confirmChannel, dl.delivery().properties(), dl.delivery().body(), dl.code().name(),
                            dl.reason(), settings.commandQueue(), COMPONENT + "/" + settings.replicaId());
                }
                confirmChannel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
            }
            for (Outgoing out : replies) {
                DeadLetters.replyIfAsked(channel, out.request(), out.reply());
            }
            if (epoch.get() != batchEpoch) {
                LOG.info("channel recovered during a batch; not acking it, the broker redelivers it");
                return;
            }
            channel.basicAck(lastTag, true);
        } catch (IOException | TimeoutException | ShutdownSignalException | IllegalStateException e) {
            // Nothing is lost: whatever was not acked comes back and is answered from the dedup records.
            LOG.warn("batch of {} is durable but could not be finished ({}); the broker will redeliver it",
                    batch.size(), Amqp.rootMessage(e));
            requeueQuietly(lastTag, batchEpoch);
            return;
        }
        if (duplicates > 0) {
            LOG.info("{} redelivered command(s) answered from the dedup records", duplicates);
        }
        LOG.debug("batch of {} committed ({} operation(s)) and acked", batch.size(), commit.operations().size());
    }

    private void reject(Inbound d, ErrorCode code, String reason, List<Outgoing> replies, List<DeadLetter> deadLetters) {
        AMQP.BasicProperties props = d.properties();
        CommandKind kind = props.getType() == null ? null : CommandKind.parse(props.getType()).orElse(null);
        LOG.warn("dead-lettering message {}: {} {}",
                props.getMessageId() != null ? props.getMessageId() : "(no id, correlation " + props.getCorrelationId() + ")",
                code, reason);
        replies.add(new Outgoing(props, Reply.failure(kind, null, null, settings.replicaId(), null, code, reason)));
        deadLetters.add(new DeadLetter(d, code, reason));
    }

    private void requeueQuietly(long lastTag, long batchEpoch) {
        if (epoch.get() != batchEpoch || !channel.isOpen()) {
            return;
        }
        try {
            channel.basicNack(lastTag, true, true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("nack failed: {}", Amqp.rootMessage(e));
        }
    }

    private void closeConnectionQuietly() {
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

    // ---- AMQP callbacks ---------------------------------------------------------------------

    private final class EpochListener implements RecoveryListener {
        @Override
        public void handleRecoveryStarted(Recoverable recoverable) {
            long e = epoch.incrementAndGet();
            if (recoverable instanceof Connection) {
                LOG.warn("connection to the broker lost; recovering (epoch {})", e);
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
        InboxConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Inbound inbound = new Inbound(epoch.get(), envelope, properties, body);
            if (!inbox.offer(inbound)) {
                LOG.warn("inbox full; returning delivery {} to the queue", envelope.getDeliveryTag());
                try {
                    getChannel().basicNack(envelope.getDeliveryTag(), false, true);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("nack failed: {}", Amqp.rootMessage(e));
                }
            }
        }

        @Override
        public void handleCancel(String tag) {
            if (!stopping) {
                running = false;
                onFatal.accept(new IllegalStateException("the broker cancelled the consumer of "
                        + settings.commandQueue() + " (queue deleted?)"));
            }
        }
    }
}
