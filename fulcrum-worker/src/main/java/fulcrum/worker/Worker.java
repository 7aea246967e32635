package fulcrum.worker;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.metrics.Health;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.Ready;
import fulcrum.core.node.ReplicaNode;
import fulcrum.core.store.Phase;
import fulcrum.core.store.ReplicaStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's daemon: a thin shell that moves bytes between RabbitMQ, RocksDB and the pure
 * {@link ReplicaNode}. One loop thread ticks the node, feeds it the deliveries the consumers put in
 * a bounded inbox, and carries out each {@link Ready} in the order that keeps the guarantees:
 * commit (one synced write), publish and wait for the confirms, answer, ack, announce, then
 * {@code advance}. Every decision (what to write, what to answer, when to publish, compact, rejoin,
 * what merge traffic to refuse) is the node's.
 *
 * <p>A failed commit is fatal: the node's memory is then ahead of the disk, so the worker hands the
 * error to the fatal handler (the process exits non-zero and a restart reads the store again).
 */
public final class Worker {
    public static final String COMPONENT = "fulcrum-worker";
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final long STOP_TIMEOUT_MS = 60_000;
    private static final long TICK_MS = 20;
    /** Readys carried out per round at most, so a round always ends and the inbox is served again. */
    private static final int MAX_READYS_PER_ROUND = 64;

    private final WorkerSettings settings;
    private final ReplicaStore store;
    private final Consumer<Throwable> onFatal;
    private final ReplicaMetrics metrics;
    private final BlockingQueue<Inbound> inbox;
    private final BrokerLink broker;
    private final ReplicaNode node;
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private final Map<DeliveryRef, Inbound> inRound = new HashMap<>();
    private volatile ReplicaNode.NodeStats lastStats;
    private volatile boolean running;
    private volatile boolean stopping;
    private volatile boolean failed;
    private Thread loop;

    /**
     * @param store   an open store; the caller keeps ownership and closes it after {@link #stop()}
     * @param onFatal called (from the loop thread) when the worker cannot go on safely; the process
     *                should exit non-zero
     */
    public Worker(WorkerSettings settings, ReplicaStore store, Consumer<Throwable> onFatal) {
        this(settings, store, ReplicaMetrics.NONE, onFatal);
    }

    /** With {@code metrics} told of every round, commit and settled command. */
    public Worker(WorkerSettings settings, ReplicaStore store, ReplicaMetrics metrics, Consumer<Throwable> onFatal) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
        this.inbox = new ArrayBlockingQueue<>(2 * (settings.prefetch() + WorkerSettings.MERGE_PREFETCH) + 256);
        this.broker = new BrokerLink(settings, inbox, this::fatal);
        SecureRandom random = new SecureRandom();
        NodeConfig config = settings.nodeConfig(1 + (random.nextLong() & (Long.MAX_VALUE - 1)), random.nextLong());
        this.node = new ReplicaNode(config, store, System.currentTimeMillis());
        this.lastStats = node.stats();
        metrics.observe(lastStats);
    }

    /** Connects, declares the topology and starts the loop; returns once merge and status are consumed. */
    public synchronized void start() throws IOException, TimeoutException {
        if (loop != null) {
            throw new IllegalStateException("already started");
        }
        try {
            broker.open();
        } catch (IOException | RuntimeException | TimeoutException e) {
            broker.close();
            throw e;
        }
        running = true;
        loop = new Thread(this::runLoop, COMPONENT + "-" + settings.replicaId() + "-loop");
        loop.start();
        LOG.info("{} started: {} (incarnation {}), applied {}, published #{}, replication {}, merge every {}, status every {}",
                settings.replicaId(), node.phase(), node.incarnation(), node.applied(), node.published(),
                settings.replication(), settings.mergeInterval(), settings.statusInterval());
        if (settings.authenticatesPeers()) {
            LOG.info("{} takes merge and status traffic only from broker users {} (merge requests also from {})",
                    settings.replicaId(), settings.peerAuth().replicaUsers(), settings.peerAuth().adminUsers());
        } else {
            LOG.warn("{} takes merge and status traffic from any broker user (--peer-auth {}, connected as '{}')",
                    settings.replicaId(), settings.peerAuth().mode().name().toLowerCase(java.util.Locale.ROOT),
                    settings.brokerUser());
        }
    }

    /** Counts and state of the node as of the loop's last round (for status and tests). */
    public ReplicaNode.NodeStats stats() {
        return lastStats;
    }

    /**
     * Up only while the worker serves: its loop runs, the connection is open, the node serves and
     * the command queue is consumed. A joining replica is down ("joining"): its commands wait in
     * its queue, so a load balancer or an operator must not count it as serving.
     */
    public Health.Status health() {
        if (!running) {
            return Health.Status.down(failed ? "failed (fatal error)" : stopping ? "stopped" : "starting");
        }
        if (!broker.isOpen()) {
            return Health.Status.down("broker connection lost; recovering");
        }
        ReplicaNode.NodeStats stats = lastStats;
        if (stats.phase() != Phase.SERVING) {
            var join = stats.join();
            return Health.Status.down("joining (commands wait)" + (join == null ? ""
                    : ": " + join.stage() + (join.source() == null ? "" : " from " + join.source())));
        }
        if (!broker.consumingCommands()) {
            return Health.Status.down("serving, not consuming " + settings.commandQueue() + " yet");
        }
        return Health.Status.up("serving: consuming " + settings.commandQueue() + " and " + settings.mergeQueue());
    }

    /**
     * Stops consuming, lets the loop finish its round (durable, answered, acked), then closes the
     * connection. Deliveries still in the inbox are not acked; the broker requeues them. Does not
     * close the store.
     */
    public void stop() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        broker.stopConsuming();
        running = false;
        if (loop != null && Thread.currentThread() != loop) {
            try {
                if (!loopDone.await(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    LOG.warn("the loop did not finish within {} ms", STOP_TIMEOUT_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        broker.close();
        LOG.info("{} stopped", settings.replicaId());
    }

    private void runLoop() {
        List<Inbound> round = new ArrayList<>(settings.batchMax());
        try {
            while (running) {
                node.tick(System.currentTimeMillis());
                Inbound first = inbox.poll(TICK_MS, TimeUnit.MILLISECONDS);
                round.clear();
                if (first != null) {
                    round.add(first);
                    inbox.drainTo(round, settings.batchMax() - 1);
                }
                for (Inbound in : round) {
                    if (in.ref().source() != DeliveryRef.Source.STATUS && in.ref().epoch() != broker.epoch(in.ref().source())) {
                        continue; // from a channel recovery replaced: the broker delivers it again
                    }
                    inRound.put(in.ref(), in);
                    InputDecoder.feed(node, in);
                }
                carryOutReadys();
                inRound.clear();
                lastStats = node.stats();
                metrics.observe(lastStats);
                broker.consumeCommands(node.serving() && running);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            running = false;
            loopDone.countDown();
            fatal(t);
            return;
        }
        loopDone.countDown();
    }

    /**
     * Carries out what the node has to do, while the connection is open: a Ready that cannot be
     * published ends the round (the node publishes it again in a later one), so a broker that is
     * away is not retried in a busy loop.
     */
    private void carryOutReadys() {
        if (!broker.isOpen()) {
            return; // recovering: nothing could be published; the inbox holds only deliveries of the lost channels
        }
        for (int i = 0; i < MAX_READYS_PER_ROUND; i++) {
            Ready ready = node.ready();
            if (ready == null || !carryOut(ready)) {
                return;
            }
        }
    }

    /**
     * The order is the guarantee: durable first, then published, then answered, then acked.
     *
     * @return false when the Ready is on disk but could not be published or acknowledged
     */
    private boolean carryOut(Ready ready) {
        long commitStart = System.nanoTime();
        store.commit(ready.commit()); // a failure propagates: fatal
        if (!ready.commit().isEmpty()) {
            metrics.committed(settledCount(ready), System.nanoTime() - commitStart);
        }
        boolean settles = settlesDeliveries(ready);
        if (settles && !ready.commit().isEmpty()) {
            CrashPoints.hit(CrashPoints.AFTER_COMMIT_BEFORE_ACK);
        }
        ready.notes().forEach(n -> LOG.info("{}", n));
        try {
            for (Ready.Outbound m : ready.messages()) {
                broker.publish(m);
            }
            for (Ready.DeadLetter dl : ready.deadLetters()) {
                Inbound original = inRound.get(dl.delivery());
                if (original != null) {
                    LOG.warn("dead-lettering a {} message ({}): {} {}", dl.delivery().source().name().toLowerCase(),
                            original.properties().getMessageId(), dl.code(), dl.reason());
                    broker.deadLetter(original, dl.code().name(), dl.reason());
                }
            }
            if (!ready.messages().isEmpty() || !ready.deadLetters().isEmpty()) {
                broker.awaitConfirms();
            }
            if (settles && !ready.messages().isEmpty()) {
                CrashPoints.hit(CrashPoints.AFTER_PUBLISH_BEFORE_REPLY);
            }
            for (Ready.OutboundReply r : ready.replies()) {
                broker.reply(r);
            }
            acknowledge(ready);
            measureSettledCommands(ready);
        } catch (IOException | TimeoutException | RuntimeException e) {
            // Durable but not finished: whatever was not acked comes back; the node publishes again.
            LOG.warn("a batch is on disk but could not be published or acknowledged ({}); its deliveries come back",
                    Amqp.rootMessage(e));
            ready.acks().forEach(broker::requeue);
            node.advance(ready, false);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ready.acks().forEach(broker::requeue);
            node.advance(ready, false);
            return false;
        }
        if (ready.status() != null) {
            broker.announce(ready.status());
        }
        node.advance(ready, true);
        return true;
    }

    /**
     * Whether {@code ready} settles deliveries of the command or merge queue (acks or dead-letters
     * them; a requeue settles nothing): only such a Ready can be interrupted between its commit or publication and the
     * answers and acks that settle them, which is what the crash points are for. (Announcements are
     * acknowledged on delivery; a Ready that only announces or publishes on a timer settles nothing.)
     */
    private static boolean settlesDeliveries(Ready ready) {
        return ready.acks().stream().anyMatch(r -> r.source() != DeliveryRef.Source.STATUS)
                || ready.deadLetters().stream().anyMatch(d -> d.delivery().source() != DeliveryRef.Source.STATUS);
    }

    /** Deliveries of the command and merge queues that {@code ready} settles (a dead letter is acked too). */
    private static int settledCount(Ready ready) {
        return (int) ready.acks().stream().filter(r -> r.source() != DeliveryRef.Source.STATUS).count();
    }

    /** From delivery to ack, for every command of this round that {@code ready} settled. */
    private void measureSettledCommands(Ready ready) {
        long now = System.nanoTime();
        for (DeliveryRef ref : ready.acks()) {
            Inbound in = ref.source() == DeliveryRef.Source.COMMANDS ? inRound.get(ref) : null;
            if (in != null) {
                metrics.commandSettled(now - in.receivedNanos());
            }
        }
    }

    /** One multiple-ack per source, unless the same Ready hands some deliveries of that source back. */
    private void acknowledge(Ready ready) throws IOException {
        EnumMap<DeliveryRef.Source, List<DeliveryRef>> acks = new EnumMap<>(DeliveryRef.Source.class);
        ready.acks().forEach(ref -> acks.computeIfAbsent(ref.source(), s -> new ArrayList<>()).add(ref));
        for (Map.Entry<DeliveryRef.Source, List<DeliveryRef>> e : acks.entrySet()) {
            boolean mixed = ready.requeues().stream().anyMatch(r -> r.source() == e.getKey());
            if (mixed) {
                for (DeliveryRef ref : e.getValue()) {
                    broker.ack(ref);
                }
                continue;
            }
            long epoch = broker.epoch(e.getKey());
            long max = e.getValue().stream().filter(r -> r.epoch() == epoch).mapToLong(DeliveryRef::tag).max().orElse(-1);
            if (max >= 0) {
                broker.ackUpTo(e.getKey(), epoch, max);
            }
        }
        ready.requeues().forEach(broker::requeue);
    }

    private void fatal(Throwable t) {
        failed = true;
        running = false;
        onFatal.accept(t);
    }
}
