package fulcrum.worker;

import fulcrum.common.metrics.Health;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.NodeStats;
import fulcrum.core.node.ReplicaNode;
import fulcrum.core.store.Phase;
import fulcrum.core.store.ReplicaStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's daemon: a thin shell that moves bytes between RabbitMQ, RocksDB and the pure
 * {@link ReplicaNode}. One loop thread ticks the node, feeds it the deliveries the consumers put in
 * a bounded inbox, and carries out each {@link fulcrum.core.node.Ready} in the order that keeps the guarantees:
 * commit (one synced write), publish and have the confirms, answer, ack, announce, then
 * {@code advance}. The Readys are pipelined ({@link ReadyPipeline}): while one is synced on the
 * {@link Committer}'s thread and its confirms are awaited, the loop already feeds the node and
 * takes the next; each is answered and acked only after its own commit and confirms, in order.
 * Every decision (what to write, what to answer, when to publish, compact, rejoin, what merge
 * traffic to refuse) is the node's.
 *
 * <p>A failed commit is fatal: the node's memory is then ahead of the disk, so the worker hands the
 * error to the fatal handler (the process exits non-zero and a restart reads the store again).
 */
public final class Worker {
    public static final String COMPONENT = "fulcrum-worker";
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final long STOP_TIMEOUT_MS = 60_000;
    private static final long TICK_MS = 20;
    /** The node's counts (a store seek per origin) are taken at most this often while the pipeline is busy. */
    private static final long STATS_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Put in the inbox to wake the loop; carries nothing. */
    private static final Inbound WAKE = new Inbound(new DeliveryRef(DeliveryRef.Source.STATUS, -1, -1), null, new byte[0], "", 0);

    private final WorkerSettings settings;
    private final ReplicaStore store;
    private final Consumer<Throwable> onFatal;
    private final ReplicaMetrics metrics;
    private final BlockingQueue<Inbound> inbox;
    private final BrokerLink broker;
    private final ReplicaNode node;
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile NodeStats lastStats;
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
        this.broker = new BrokerLink(settings, inbox, this::fatal, this::wake);
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
    public NodeStats stats() {
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
        NodeStats stats = lastStats;
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
        Committer committer = new Committer(store, COMPONENT + "-" + settings.replicaId() + "-committer", this::wake);
        ReadyPipeline pipeline = new ReadyPipeline(node, broker, committer, metrics, settings.pipelineDepth());
        String selfAppId = broker.appId();
        long statsNanos = System.nanoTime();
        long pausedUntilNanos = statsNanos; // nanoTime may be negative: compare differences only
        try {
            // once stopping, the Readys in flight are still carried out to the end (durable, answered, acked)
            while (running || !pipeline.isEmpty()) {
                node.tick(System.currentTimeMillis());
                Inbound first = inbox.poll(TICK_MS, TimeUnit.MILLISECONDS);
                round.clear();
                if (first != null) {
                    round.add(first);
                    inbox.drainTo(round, settings.batchMax() - 1);
                }
                for (Inbound in : round) {
                    if (in == WAKE) {
                        wakePending.set(false);
                        continue;
                    }
                    if (!running) {
                        continue; // not fed while stopping: the broker requeues what is not acked
                    }
                    if (in.ref().source() != DeliveryRef.Source.STATUS && in.ref().epoch() != broker.epoch(in.ref().source())) {
                        continue; // from a channel recovery replaced: the broker delivers it again
                    }
                    pipeline.fed(in);
                    InputDecoder.feed(node, in, selfAppId);
                }
                // recovering, nothing could be published; after a failed publication, not in a busy loop
                if (running && broker.isOpen() && System.nanoTime() - pausedUntilNanos >= 0) {
                    pipeline.fill();
                }
                if (pipeline.progress()) {
                    pausedUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TICK_MS);
                }
                if (System.nanoTime() - statsNanos >= STATS_EVERY_NANOS || pipeline.isEmpty()) {
                    statsNanos = System.nanoTime();
                    lastStats = node.stats();
                    metrics.observe(lastStats);
                }
                broker.consumeCommands(node.takesCommands() && running);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            committer.close();
            loopDone.countDown();
            return;
        } catch (Throwable t) {
            running = false;
            committer.close();
            loopDone.countDown();
            fatal(t);
            return;
        }
        committer.close();
        lastStats = node.stats();
        loopDone.countDown();
    }

    /**
     * Wakes the loop when a commit or a confirm arrives (a full inbox wakes it anyway); one wake-up
     * in the inbox at a time, so that confirms never crowd deliveries out of it.
     */
    private void wake() {
        if (wakePending.compareAndSet(false, true) && !inbox.offer(WAKE)) {
            wakePending.set(false);
        }
    }

    private void fatal(Throwable t) {
        failed = true;
        running = false;
        onFatal.accept(t);
    }
}
