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
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.MergeMessages;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.domain.Names;
import fulcrum.core.replica.ConflictKind;
import fulcrum.core.replica.MergeStep;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.Reply;
import fulcrum.core.replica.ResendRequest;
import fulcrum.core.replica.Step;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.core.replication.OpLogs;
import fulcrum.core.session.Admission;
import fulcrum.worker.store.CommitBatch;
import fulcrum.worker.store.ReplicaStore;
import fulcrum.worker.store.StoredState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's loop: consumes {@code fulcrum.<id>.commands} and {@code fulcrum.<id>.merge}, executes
 * commands and merges peers' operations on the in-memory {@link Replica}, makes each batch durable
 * with ONE synced store commit, and only then sends the replies and acknowledges the batch (one
 * multiple-ack per source channel). It also publishes its own operations on {@code fulcrum.merge}
 * (every merge interval and on MergeNow), answers resend requests, announces its applied vector on
 * {@code fulcrum.status}, listens to the peers' announcements (gap detection, compaction) and compacts
 * the op log once every replica has announced that it applied an entry.
 *
 * <p>Threads: the AMQP consumer callbacks only enqueue deliveries into a bounded inbox (never block:
 * if the inbox is full, which the prefetch bounds should prevent, the delivery is nacked back to its
 * queue); the status consumer only keeps the latest announcement per peer; the timer only raises
 * flags. One loop thread does everything else, so the replica and the store are used by one thread.
 *
 * <p>Delivery tags are per channel and restart when automatic recovery opens a new channel, so
 * every delivery is tagged with its source (commands or merge) and the recovery epoch of that
 * source's channel; the epoch is incremented when connection or channel recovery starts. Deliveries
 * of an older epoch are dropped without ack (the broker requeued them; dedup and the merge's
 * idempotence make the redelivery safe), and a source whose epoch changed while its batch was
 * processed is not acked.
 *
 * <p>A failed commit is fatal: memory is then ahead of disk, so the worker hands the error to the
 * fatal handler (the process exits non-zero and a restart reloads the store).
 */
public final class Worker {
    public static final String COMPONENT = "fulcrum-worker";
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final long CONFIRM_TIMEOUT_MS = 30_000;
    private static final long STOP_TIMEOUT_MS = 60_000;
    /** Delta messages per publishing round; the rest follows in the next loop iteration. */
    static final int MAX_DELTAS_PER_ROUND = 64;
    /** Delta messages one resend request is answered with; the requester asks again for the rest. */
    static final int MAX_DELTAS_PER_RESEND = 8;

    /** Where a delivery came from; each source has its own channel, delivery tags and epoch. */
    enum Source { COMMANDS, MERGE }

    private final WorkerSettings settings;
    private final String self;
    private final ReplicaStore store;
    private final Replica replica;
    private final Consumer<Throwable> onFatal;
    private final BlockingQueue<Inbound> inbox;
    private final EnumMap<Source, AtomicLong> epochs = new EnumMap<>(Source.class);
    private final CountDownLatch loopDone = new CountDownLatch(1);
    /** Latest announcement per peer, filled by the status consumer, drained by the loop. */
    private final Map<String, MergeMessages.Status> statusInbox = new ConcurrentHashMap<>();
    private final AtomicBoolean publishDue = new AtomicBoolean();
    private final AtomicBoolean statusDue = new AtomicBoolean(true);

    // ---- state of the loop thread only ----
    private long publishedUpTo;
    private final TreeMap<String, Long> compactedUpTo = new TreeMap<>();
    /** Last announced applied vector per peer (own vector excluded: that is {@code replica.appliedSeq()}). */
    private final TreeMap<String, Map<String, Long>> announced = new TreeMap<>();
    private final Map<String, long[]> lastResendRequest = new HashMap<>(); // origin -> {fromSeq, nanoTime}
    private SortedMap<ConflictKind, Long> loggedConflicts;
    private boolean compactionDue;

    private volatile boolean running;
    private volatile boolean stopping;
    private Connection connection;
    private final EnumMap<Source, Channel> channels = new EnumMap<>(Source.class);
    private final EnumMap<Source, String> consumerTags = new EnumMap<>(Source.class);
    private Channel confirmChannel;
    private Channel statusChannel;
    private String statusConsumerTag;
    private ScheduledExecutorService timer;
    private Thread loop;

    /** A delivery, its source and the recovery epoch of the channel it arrived on. */
    private record Inbound(Source source, long epoch, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    }

    /** A reply to send once the batch is durable. */
    private record Outgoing(AMQP.BasicProperties request, Reply reply) {
    }

    /** A message to dead-letter once the batch is durable. */
    private record DeadLetter(Inbound delivery, ErrorCode code, String reason) {
    }

    /** Everything one batch collects before its commit. */
    private static final class Batch {
        final CommitBatch commit = new CommitBatch();
        final List<Outgoing> replies = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final Map<String, Reply> handledInBatch = new HashMap<>();
        final EnumMap<Source, Long> lastTag = new EnumMap<>(Source.class);
        final EnumMap<Source, Long> epoch = new EnumMap<>(Source.class);
        final TreeSet<String> resendOrigins = new TreeSet<>();
        final List<MergeMessages.Resend> toAnswer = new ArrayList<>();
        boolean mergeNow;
        int staleDeliveries;
        int duplicates;
        int staleReplies;
        int peerApplied;
        int peerDuplicates;
        int peerBuffered;
        int ownIgnored;
    }

    /**
     * @param store   an open store; the caller keeps ownership and closes it after {@link #stop()}
     * @param onFatal called (from the loop thread) when the worker cannot go on safely, e.g. a
     *                failed commit; the process should exit non-zero
     */
    public Worker(WorkerSettings settings, ReplicaStore store, Consumer<Throwable> onFatal) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.self = settings.replicaId();
        this.store = Objects.requireNonNull(store, "store");
        this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
        StoredState state = store.loadState();
        this.replica = new Replica(self, settings.replicaIds(), state.planets(), state.appliedSeq());
        this.publishedUpTo = state.publishedUpTo();
        this.compactedUpTo.putAll(state.compactedUpTo());
        this.loggedConflicts = replica.conflicts();
        for (Source s : Source.values()) {
            epochs.put(s, new AtomicLong());
        }
        // at most prefetch unacked deliveries per channel, plus leftovers of channels that just died
        this.inbox = new ArrayBlockingQueue<>(2 * (settings.prefetch() + mergePrefetch()));
    }

    private int mergePrefetch() {
        return Math.min(settings.prefetch(), WorkerSettings.MERGE_PREFETCH);
    }

    /**
     * Connects, declares the topology and starts consuming. Returns once the broker has confirmed
     * the consumers.
     *
     * @throws IOException when the broker cannot be reached within the connect timeout
     */
    public synchronized void start() throws IOException, TimeoutException {
        if (connection != null) {
            throw new IllegalStateException("already started");
        }
        connection = Amqp.connect(settings.uri(), COMPONENT + "-" + self, settings.connectTimeout());
        try {
            ((Recoverable) connection).addRecoveryListener(new EpochListener(Source.values()));
            Channel commands = connection.createChannel();
            ((Recoverable) commands).addRecoveryListener(new EpochListener(Source.COMMANDS));
            Topology.declare(commands, settings.replicaIds());
            Channel merge = connection.createChannel();
            ((Recoverable) merge).addRecoveryListener(new EpochListener(Source.MERGE));
            channels.put(Source.COMMANDS, commands);
            channels.put(Source.MERGE, merge);
            confirmChannel = connection.createChannel();
            confirmChannel.confirmSelect();
            statusChannel = connection.createChannel();
            String statusQueue = statusChannel.queueDeclare("", false, true, true, null).getQueue();
            statusChannel.queueBind(statusQueue, Topology.STATUS_EXCHANGE, "");

            // Before the loop exists (so still one thread at a time): publish what a crash left unpublished.
            publishOwn();

            running = true;
            loop = new Thread(this::runLoop, COMPONENT + "-" + self + "-loop");
            loop.start();
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, COMPONENT + "-" + self + "-timer");
                t.setDaemon(true);
                return t;
            });
            long merge_ms = settings.mergeInterval().toMillis();
            long status_ms = settings.statusInterval().toMillis();
            timer.scheduleAtFixedRate(() -> publishDue.set(true), merge_ms, merge_ms, TimeUnit.MILLISECONDS);
            timer.scheduleAtFixedRate(() -> statusDue.set(true), status_ms, status_ms, TimeUnit.MILLISECONDS);

            statusConsumerTag = statusChannel.basicConsume(statusQueue, true, new StatusConsumer(statusChannel));
            merge.basicQos(mergePrefetch());
            consumerTags.put(Source.MERGE, merge.basicConsume(settings.mergeQueue(), false, COMPONENT + "-" + self + "-merge",
                    new InboxConsumer(merge, Source.MERGE)));
            commands.basicQos(settings.prefetch());
            consumerTags.put(Source.COMMANDS, commands.basicConsume(settings.commandQueue(), false, COMPONENT + "-" + self,
                    new InboxConsumer(commands, Source.COMMANDS)));
        } catch (IOException | RuntimeException e) {
            running = false;
            if (timer != null) {
                timer.shutdownNow();
            }
            closeConnectionQuietly();
            throw e;
        }
        LOG.info("{} consuming {} (prefetch {}, batch-max {}) and {}, merge interval {}, {} planet(s), applied {}, "
                        + "published up to #{}, compacted {}", self, settings.commandQueue(), settings.prefetch(),
                settings.batchMax(), settings.mergeQueue(), settings.mergeInterval(), replica.planets().size(),
                replica.appliedSeq(), publishedUpTo, compactedUpTo);
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
        for (Source s : Source.values()) {
            cancelQuietly(channels.get(s), consumerTags.get(s));
        }
        cancelQuietly(statusChannel, statusConsumerTag);
        running = false;
        if (timer != null) {
            timer.shutdownNow();
        }
        if (loop != null && Thread.currentThread() != loop) {
            try {
                if (!loopDone.await(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    LOG.warn("the loop did not finish within {} ms", STOP_TIMEOUT_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeConnectionQuietly();
        LOG.info("{} stopped", self);
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

    /** The in-memory replica; only for tests that inspect it while the worker is stopped. */
    Replica replica() {
        return replica;
    }

    // ---- the loop ---------------------------------------------------------------------------

    private void runLoop() {
        List<Inbound> batch = new ArrayList<>(settings.batchMax());
        try {
            while (running) {
                Inbound first = inbox.poll(50, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.clear();
                    batch.add(first);
                    inbox.drainTo(batch, settings.batchMax() - 1);
                    processBatch(batch);
                }
                if (running) {
                    housekeeping();
                }
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

    private void processBatch(List<Inbound> deliveries) throws InterruptedException {
        Batch b = new Batch();
        for (Source s : Source.values()) {
            b.epoch.put(s, epochs.get(s).get());
        }
        for (Inbound d : deliveries) {
            if (d.epoch() != b.epoch.get(d.source())) {
                b.staleDeliveries++;
                continue; // from a channel that no longer exists: the broker redelivers it
            }
            b.lastTag.merge(d.source(), d.envelope().getDeliveryTag(), Math::max);
            if (d.source() == Source.COMMANDS) {
                handleCommand(d, b);
            } else {
                handleMerge(d, b);
            }
        }
        if (b.staleDeliveries > 0) {
            LOG.info("dropped {} delivery(ies) of a channel that recovery replaced; the broker redelivers them",
                    b.staleDeliveries);
        }
        if (b.lastTag.isEmpty()) {
            return;
        }
        boolean appliedChanged = !b.commit.appliedSeq().isEmpty();

        // Durability first. A failure here propagates to the loop and is fatal: memory is ahead of disk.
        store.commit(b.commit);
        CrashPoints.hit(CrashPoints.AFTER_COMMIT_BEFORE_ACK);

        try {
            if (!b.deadLetters.isEmpty()) {
                for (DeadLetter dl : b.deadLetters) {
                    String queue = dl.delivery().source() == Source.COMMANDS ? settings.commandQueue() : settings.mergeQueue();
                    DeadLetters.publish(confirmChannel, dl.delivery().properties(), dl.delivery().body(), dl.code().name(),
                            dl.reason(), queue, COMPONENT + "/" + self);
                }
                if (!confirmChannel.waitForConfirms(CONFIRM_TIMEOUT_MS)) {
                    throw new IOException("the broker refused a dead letter");
                }
            }
            Channel replyChannel = channels.get(Source.COMMANDS);
            for (Outgoing out : b.replies) {
                DeadLetters.replyIfAsked(replyChannel, out.request(), out.reply());
            }
            for (Map.Entry<Source, Long> e : b.lastTag.entrySet()) {
                if (epochs.get(e.getKey()).get() != b.epoch.get(e.getKey())) {
                    LOG.info("{} channel recovered during a batch; not acking it, the broker redelivers it", e.getKey());
                    continue;
                }
                channels.get(e.getKey()).basicAck(e.getValue(), true);
            }
        } catch (IOException | TimeoutException | ShutdownSignalException | IllegalStateException e) {
            // Nothing is lost: whatever was not acked comes back; dedup and idempotent merge make it harmless.
            LOG.warn("batch of {} is durable but could not be finished ({}); the broker will redeliver it",
                    deliveries.size(), Amqp.rootMessage(e));
            b.lastTag.forEach((source, tag) -> requeueQuietly(source, tag, b.epoch.get(source)));
            return;
        }
        if (b.duplicates > 0) {
            LOG.info("{} redelivered command(s) answered from the dedup records", b.duplicates);
        }
        if (b.staleReplies > 0) {
            LOG.info("{} command(s) answered STALE: this replica does not yet dominate the session's clock", b.staleReplies);
        }
        if (b.peerApplied > 0 || b.peerBuffered > 0 || b.ownIgnored > 0) {
            LOG.info("merged {} peer operation(s) ({} duplicate(s), {} waiting for a predecessor, {} own ignored); applied {}",
                    b.peerApplied, b.peerDuplicates, b.peerBuffered, b.ownIgnored, replica.appliedSeq());
        } else if (b.peerDuplicates > 0) {
            LOG.debug("ignored {} duplicate peer operation(s)", b.peerDuplicates);
        }
        logConflictChanges();

        // After the ack: ask for what is missing, answer what others miss.
        if (!b.resendOrigins.isEmpty()) {
            List<ResendRequest> requests = new ArrayList<>();
            for (String origin : b.resendOrigins) {
                requests.add(new ResendRequest(origin, replica.appliedSeq(origin) + 1));
            }
            publishResendRequests(requests);
        }
        for (MergeMessages.Resend r : b.toAnswer) {
            answerResend(r);
        }
        if (b.mergeNow) {
            publishDue.set(true);
            statusDue.set(true);
        }
        if (appliedChanged) {
            statusDue.set(true);
            compactionDue = true;
        }
        LOG.debug("batch of {} committed ({} operation(s)) and acked", deliveries.size(), b.commit.operations().size());
    }

    // ---- commands ---------------------------------------------------------------------------

    private void handleCommand(Inbound d, Batch b) {
        AMQP.BasicProperties props = d.properties();
        String commandId = props.getMessageId();
        if (commandId == null || commandId.isBlank()) {
            reject(d, ErrorCode.BAD_MESSAGE, "message has no message_id (the command id)", b);
            return;
        }
        CommandCodec.Envelope envelope;
        try {
            envelope = CommandCodec.decodeEnvelope(d.body(), props.getType());
        } catch (InvalidCommandException e) {
            reject(d, e.code(), e.getMessage(), b);
            return;
        }
        Command command = envelope.command();
        boolean write = command.kind().isWrite();
        Reply stored = null;
        if (write) {
            stored = b.handledInBatch.get(commandId);
            if (stored == null) {
                stored = store.findReply(commandId).orElse(null);
            }
        }
        Admission.Decision decision = Admission.decide(self, command, stored, envelope.requiredClock(),
                replica.clockOf(command.planet()), this::notation);
        if (decision instanceof Admission.AnswerStored answer) {
            b.duplicates++;
            b.replies.add(new Outgoing(props, answer.reply()));
            return;
        }
        if (decision instanceof Admission.Refuse refuse) {
            b.staleReplies++;
            if (refuse.record()) {
                // The router may offer this id to the next replica now; this one must never apply it.
                recordOutcome(b, commandId, refuse.reply());
            }
            b.replies.add(new Outgoing(props, refuse.reply()));
            return;
        }
        Step step = replica.execute(commandId, command);
        if (step.changedState()) {
            b.commit.putPlanet(step.planetAfter());
            b.commit.addOperation(step.operation());
        }
        if (write) {
            recordOutcome(b, commandId, step.reply());
        }
        b.replies.add(new Outgoing(props, step.reply()));
    }

    /** A write's outcome becomes its dedup record, committed with the batch and seen by the rest of it. */
    private static void recordOutcome(Batch b, String commandId, Reply reply) {
        b.commit.putReply(commandId, reply);
        b.handledInBatch.put(commandId, reply);
    }

    /** The seed's clock notation over the cluster's replica ids plus any other id either clock names. */
    private String notation(VectorClock clock, VectorClock other) {
        TreeSet<String> ids = new TreeSet<>(settings.replicaIds());
        ids.addAll(clock.asMap().keySet());
        ids.addAll(other.asMap().keySet());
        return CanonicalDump.clock(ids, clock);
    }

    private void reject(Inbound d, ErrorCode code, String reason, Batch b) {
        AMQP.BasicProperties props = d.properties();
        CommandKind kind = props.getType() == null ? null : CommandKind.parse(props.getType()).orElse(null);
        LOG.warn("dead-lettering message {}: {} {}",
                props.getMessageId() != null ? props.getMessageId() : "(no id, correlation " + props.getCorrelationId() + ")",
                code, reason);
        b.replies.add(new Outgoing(props, Reply.failure(kind, null, null, self, null, code, reason)));
        b.deadLetters.add(new DeadLetter(d, code, reason));
    }

    // ---- merge messages ---------------------------------------------------------------------

    private void handleMerge(Inbound d, Batch b) {
        String type = d.properties().getType();
        if (type == null) {
            rejectMerge(d, ErrorCode.BAD_MESSAGE, "merge message has no AMQP type", b);
            return;
        }
        switch (type) {
            case MergeMessages.DELTA -> {
                MergeMessages.Delta delta;
                try {
                    delta = MergeMessages.decode(d.body(), MergeMessages.Delta.class);
                    checkDelta(delta);
                } catch (RuntimeException e) {
                    rejectMerge(d, ErrorCode.BAD_MESSAGE, "invalid " + type + ": " + Amqp.rootMessage(e), b);
                    return;
                }
                if (delta.origin().equals(self)) {
                    b.ownIgnored += delta.operations().size();
                    return;
                }
                if (delta.operations().isEmpty()) {
                    return;
                }
                MergeStep step = replica.applyRemote(delta.operations());
                for (Operation op : step.applied()) {
                    b.commit.addOperation(op); // peers' operations are kept too (validation at open, dumps, exports)
                }
                step.planetsToPersist().values().forEach(b.commit::putPlanet);
                step.appliedSeqToPersist().forEach(b.commit::putAppliedSeq);
                step.resendRequests().forEach(r -> b.resendOrigins.add(r.origin()));
                b.peerApplied += step.applied().size();
                b.peerDuplicates += step.duplicates();
                b.peerBuffered += step.buffered();
            }
            case MergeMessages.RESEND -> {
                MergeMessages.Resend resend;
                try {
                    resend = MergeMessages.decode(d.body(), MergeMessages.Resend.class);
                    checkReplica("origin", resend.origin());
                    checkReplica("requester", resend.requester());
                } catch (RuntimeException e) {
                    rejectMerge(d, ErrorCode.BAD_MESSAGE, "invalid " + type + ": " + Amqp.rootMessage(e), b);
                    return;
                }
                // Only the origin answers (every replica gets every request on the fanout).
                if (resend.origin().equals(self) && !resend.requester().equals(self)) {
                    b.toAnswer.add(resend);
                }
            }
            case MergeMessages.MERGE_NOW -> {
                try {
                    MergeMessages.decode(d.body(), MergeMessages.MergeNow.class);
                } catch (RuntimeException e) {
                    rejectMerge(d, ErrorCode.BAD_MESSAGE, "invalid " + type + ": " + Amqp.rootMessage(e), b);
                    return;
                }
                b.mergeNow = true;
            }
            default -> rejectMerge(d, ErrorCode.UNKNOWN_COMMAND, "unknown merge message type '" + type + "'", b);
        }
    }

    private void checkDelta(MergeMessages.Delta delta) {
        checkReplica("origin", delta.origin());
        for (Operation op : delta.operations()) {
            String problem = Names.problem("planet", op.planet());
            if (problem == null && op.name() != null) {
                problem = Names.problem("city", op.name());
            }
            if (problem != null) {
                throw new IllegalArgumentException("operation " + op.origin() + "#" + op.originSeq() + ": " + problem);
            }
            if (op.rebels() != null && op.rebels() < 0) {
                throw new IllegalArgumentException("operation " + op.origin() + "#" + op.originSeq() + " has negative rebels");
            }
            for (String id : op.clock().asMap().keySet()) {
                checkReplica("clock entry", id);
            }
            if (op.clock().get(op.origin()) < 1) {
                throw new IllegalArgumentException("operation " + op.origin() + "#" + op.originSeq()
                        + " has a clock without its own write: " + op.clock());
            }
        }
    }

    private void checkReplica(String what, String id) {
        if (!settings.replicaIds().contains(id)) {
            throw new IllegalArgumentException(what + " '" + id + "' is not one of " + settings.replicaIds());
        }
    }

    private void rejectMerge(Inbound d, ErrorCode code, String reason, Batch b) {
        LOG.warn("dead-lettering merge message {} (type {}): {} {}", d.properties().getMessageId(), d.properties().getType(),
                code, reason);
        b.deadLetters.add(new DeadLetter(d, code, reason));
    }

    // ---- housekeeping: statuses, publishing, compaction, announcements ------------------------

    private void housekeeping() {
        if (!statusInbox.isEmpty()) {
            List<ResendRequest> requests = new ArrayList<>();
            for (Iterator<Map.Entry<String, MergeMessages.Status>> it = statusInbox.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, MergeMessages.Status> e = it.next();
                it.remove();
                Map<String, Long> vector = new TreeMap<>(e.getValue().applied());
                announced.put(e.getKey(), vector);
                // A peer's own writes it has not published yet are not a gap: they come with its next merge.
                Map<String, Long> published = new TreeMap<>(vector);
                published.computeIfPresent(e.getKey(), (peer, seq) -> Math.min(seq, e.getValue().published()));
                requests.addAll(replica.resendRequestsFor(published));
            }
            compactionDue = true;
            publishResendRequests(requests);
        }
        if (publishDue.getAndSet(false)) {
            publishOwn();
        }
        if (compactionDue) {
            compactionDue = false;
            compact();
        }
        if (statusDue.getAndSet(false)) {
            announce();
        }
    }

    /**
     * Publishes the own operations not yet published, as persistent deltas with confirms, and only
     * then records the published mark durably. A crash in between publishes them again; receivers
     * ignore duplicates.
     */
    private void publishOwn() {
        long applied = replica.appliedSeq(self);
        long from = Math.max(publishedUpTo, compactedUpTo.getOrDefault(self, 0L)) + 1;
        if (from > applied) {
            return;
        }
        long first = from;
        long last = from - 1;
        int messages = 0;
        try {
            while (from <= applied && messages < MAX_DELTAS_PER_ROUND) {
                List<Operation> ops = OpLogs.operationsToPublish(
                        store.operationsAfter(self, from - 1, MergeMessages.MAX_OPS_PER_DELTA), self, from,
                        MergeMessages.MAX_OPS_PER_DELTA);
                if (ops.isEmpty()) {
                    break;
                }
                publishDelta(ops);
                last = ops.get(ops.size() - 1).originSeq();
                from = last + 1;
                messages++;
            }
            if (messages == 0) {
                return;
            }
            if (!confirmChannel.waitForConfirms(CONFIRM_TIMEOUT_MS)) {
                throw new IOException("the broker refused a delta");
            }
        } catch (IOException | TimeoutException | ShutdownSignalException | IllegalStateException e) {
            LOG.warn("publishing own operations #{}..#{} failed ({}); retrying at the next merge", first, last,
                    Amqp.rootMessage(e));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        CrashPoints.hit(CrashPoints.AFTER_PUBLISH_BEFORE_RECORD);
        store.commit(new CommitBatch().putPublishedUpTo(last));
        publishedUpTo = last;
        LOG.info("published own operations #{}..#{} in {} delta(s)", first, last, messages);
        statusDue.set(true);
        if (from <= applied) {
            publishDue.set(true); // the rest in the next iteration, after pending deliveries
        }
    }

    private void publishDelta(List<Operation> ops) throws IOException {
        String origin = ops.get(0).origin();
        MergeMessages.Delta delta = new MergeMessages.Delta(origin, ops);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(Amqp.CONTENT_TYPE)
                .deliveryMode(2)
                .type(MergeMessages.DELTA)
                .messageId(origin + "/" + ops.get(0).originSeq() + "-" + ops.get(ops.size() - 1).originSeq())
                .appId(COMPONENT + "/" + self)
                .build();
        confirmChannel.basicPublish(Topology.MERGE_EXCHANGE, "", false, props, FulcrumJson.write(delta));
    }

    /** Answers a peer's resend request for own operations, from the op log, bounded. */
    private void answerResend(MergeMessages.Resend request) {
        long floor = compactedUpTo.getOrDefault(self, 0L);
        long from = request.fromSeq();
        if (from <= floor) {
            LOG.warn("{} asks for own operations from #{}, but #1..#{} were compacted after every replica announced them; "
                    + "answering from #{}", request.requester(), from, floor, floor + 1);
            from = floor + 1;
        }
        int messages = 0;
        long first = from;
        try {
            while (messages < MAX_DELTAS_PER_RESEND) {
                List<Operation> ops = OpLogs.answer(new ResendRequest(self, from),
                        store.operationsAfter(self, from - 1, MergeMessages.MAX_OPS_PER_DELTA), MergeMessages.MAX_OPS_PER_DELTA);
                if (ops.isEmpty()) {
                    break;
                }
                publishDelta(ops);
                from = ops.get(ops.size() - 1).originSeq() + 1;
                messages++;
            }
            if (messages > 0 && !confirmChannel.waitForConfirms(CONFIRM_TIMEOUT_MS)) {
                throw new IOException("the broker refused a delta");
            }
        } catch (IOException | TimeoutException | ShutdownSignalException | IllegalStateException e) {
            LOG.warn("answering {}'s resend request failed ({}); it will ask again", request.requester(), Amqp.rootMessage(e));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (messages > 0) {
            LOG.info("resent own operations #{}..#{} to {} in {} delta(s)", first, from - 1, request.requester(), messages);
        }
    }

    /**
     * Publishes resend requests on fulcrum.merge; the same request (origin, fromSeq) is not repeated
     * within three status intervals, so a slow but progressing catch-up does not cause a storm.
     */
    private void publishResendRequests(Collection<ResendRequest> requests) {
        long now = System.nanoTime();
        long backoff = 3 * settings.statusInterval().toNanos();
        TreeMap<String, ResendRequest> unique = new TreeMap<>();
        for (ResendRequest r : requests) {
            unique.merge(r.origin(), r, (a, c) -> a.fromSeq() <= c.fromSeq() ? a : c);
        }
        for (ResendRequest r : unique.values()) {
            if (r.origin().equals(self)) {
                continue;
            }
            long[] last = lastResendRequest.get(r.origin());
            if (last != null && last[0] == r.fromSeq() && now - last[1] < backoff) {
                continue;
            }
            try {
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                        .contentType(Amqp.CONTENT_TYPE)
                        .deliveryMode(2)
                        .type(MergeMessages.RESEND)
                        .appId(COMPONENT + "/" + self)
                        .build();
                confirmChannel.basicPublish(Topology.MERGE_EXCHANGE, "", false, props,
                        FulcrumJson.write(new MergeMessages.Resend(r.origin(), r.fromSeq(), self)));
                lastResendRequest.put(r.origin(), new long[] {r.fromSeq(), now});
                LOG.info("asked {} to resend its operations from #{} (have #{})", r.origin(), r.fromSeq(),
                        replica.appliedSeq(r.origin()));
            } catch (IOException | ShutdownSignalException | IllegalStateException e) {
                LOG.warn("cannot ask {} to resend ({}); asking again later", r.origin(), Amqp.rootMessage(e));
            }
        }
    }

    /**
     * Deletes op-log entries every replica has announced it applied (own vector included), in one
     * synced commit, and raises the compaction floors.
     */
    private void compact() {
        Map<String, Map<String, Long>> vectors = new HashMap<>(announced);
        vectors.put(self, replica.appliedSeq());
        CommitBatch batch = new CommitBatch();
        TreeMap<String, long[]> changes = new TreeMap<>();
        for (String origin : settings.replicaIds()) {
            long upTo = Math.min(OpLogs.compactableUpTo(origin, settings.replicaIds(), vectors), replica.appliedSeq(origin));
            long floor = compactedUpTo.getOrDefault(origin, 0L);
            if (upTo > floor) {
                batch.compact(origin, upTo);
                changes.put(origin, new long[] {floor, upTo});
            }
        }
        if (changes.isEmpty()) {
            return;
        }
        store.commit(batch);
        changes.forEach((origin, c) -> {
            compactedUpTo.put(origin, c[1]);
            LOG.info("compacted op log of {}: dropped #{}..#{} (every replica announced them applied)", origin, c[0] + 1, c[1]);
        });
    }

    private void announce() {
        MergeMessages.Status status = new MergeMessages.Status(self, replica.appliedSeq(), publishedUpTo, conflictCounts());
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(Amqp.CONTENT_TYPE)
                .deliveryMode(1)
                .type(MergeMessages.STATUS)
                .appId(COMPONENT + "/" + self)
                .build();
        try {
            statusChannel.basicPublish(Topology.STATUS_EXCHANGE, "", false, props, FulcrumJson.write(status));
        } catch (IOException | ShutdownSignalException | IllegalStateException e) {
            LOG.debug("cannot announce status ({}); next interval", Amqp.rootMessage(e));
        }
    }

    private Map<String, Long> conflictCounts() {
        Map<String, Long> out = new TreeMap<>();
        replica.conflicts().forEach((k, v) -> {
            if (v > 0) {
                out.put(k.name(), v);
            }
        });
        return out;
    }

    private void logConflictChanges() {
        SortedMap<ConflictKind, Long> now = replica.conflicts();
        if (now.equals(loggedConflicts)) {
            return;
        }
        StringBuilder changed = new StringBuilder();
        long total = 0;
        for (Map.Entry<ConflictKind, Long> e : now.entrySet()) {
            long before = loggedConflicts.getOrDefault(e.getKey(), 0L);
            total += e.getValue();
            if (e.getValue() != before) {
                changed.append(changed.length() == 0 ? "" : ", ").append(e.getKey()).append(" +").append(e.getValue() - before)
                        .append(" (total ").append(e.getValue()).append(')');
            }
        }
        LOG.info("conflicts resolved by the merge rules: {}; all kinds {} (total {})", changed, conflictCounts(), total);
        loggedConflicts = now;
    }

    private void requeueQuietly(Source source, long lastTag, long batchEpoch) {
        Channel channel = channels.get(source);
        if (epochs.get(source).get() != batchEpoch || !channel.isOpen()) {
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
        private final Source[] sources;

        EpochListener(Source... sources) {
            this.sources = sources;
        }

        @Override
        public void handleRecoveryStarted(Recoverable recoverable) {
            for (Source s : sources) {
                epochs.get(s).incrementAndGet();
            }
            if (recoverable instanceof Connection) {
                LOG.warn("connection to the broker lost; recovering (epochs {})", epochs);
            }
        }

        @Override
        public void handleRecovery(Recoverable recoverable) {
            if (recoverable instanceof Connection) {
                LOG.info("connection to the broker recovered");
                statusDue.set(true);
            }
        }
    }

    private final class InboxConsumer extends DefaultConsumer {
        private final Source source;

        InboxConsumer(Channel channel, Source source) {
            super(channel);
            this.source = source;
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Inbound inbound = new Inbound(source, epochs.get(source).get(), envelope, properties, body);
            if (!inbox.offer(inbound)) {
                LOG.warn("inbox full; returning {} delivery {} to the queue", source, envelope.getDeliveryTag());
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
                String queue = source == Source.COMMANDS ? settings.commandQueue() : settings.mergeQueue();
                onFatal.accept(new IllegalStateException("the broker cancelled the consumer of " + queue + " (queue deleted?)"));
            }
        }
    }

    /** Keeps the latest announcement of every peer; the loop drains them. Malformed ones are ignored. */
    private final class StatusConsumer extends DefaultConsumer {
        StatusConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            if (!MergeMessages.STATUS.equals(properties.getType())) {
                return;
            }
            try {
                MergeMessages.Status status = MergeMessages.decode(body, MergeMessages.Status.class);
                if (!status.replica().equals(self) && settings.replicaIds().contains(status.replica())) {
                    statusInbox.put(status.replica(), status);
                }
            } catch (RuntimeException e) {
                LOG.debug("ignoring a malformed status message: {}", Amqp.rootMessage(e));
            }
        }
    }
}
