package fulcrum.router;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.metrics.Health;
import fulcrum.common.topology.Topology;
import fulcrum.core.router.RouterCore;
import fulcrum.core.router.RouterLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mos Eisley, the shell around {@link RouterCore}: it connects, declares the topology, consumes
 * {@code mos-eisley.routes} (route requests of the direct write path), {@code mos-eisley.queries},
 * {@code mos-eisley.commands} (the legacy write path) and its own reply queue into a bounded inbox,
 * and runs the {@link RouterLoop} that moves bytes between the broker and the core. Every decision
 * (which replica, when to move on, what to answer, when to ack) is the core's.
 *
 * <p>The router's state is soft: the routing knowledge and the in-flight table live in memory, so
 * several copies may run and a restarted router starts with none. A crash before the inbound ack
 * means a redelivery and a duplicate forward, which the replica's deduplication absorbs; a crash
 * after it loses only the reply, and the client, after its timeout, re-sends the same id and gets
 * the stored reply.
 */
public final class Router implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /**
     * @param prefetch     unacked deliveries per consumed queue
     * @param batchMax     deliveries handled per round (one Ready)
     * @param maxInFlight  forwards waiting for a reply; at the bound the oldest is answered UNAVAILABLE
     * @param queryTimeout how long a query waits for a replica before the next one is asked
     * @param routeTableValidity how long a client may compute its writes' routes from the route table
     *                     a route answer hands out; zero: hand out none (every write asks)
     */
    public record Options(int prefetch, int batchMax, int maxInFlight, Duration queryTimeout, Duration routeTableValidity) {
        /** With the default route table validity. */
        public Options(int prefetch, int batchMax, int maxInFlight, Duration queryTimeout) {
            this(prefetch, batchMax, maxInFlight, queryTimeout,
                    Duration.ofMillis(RouterLimits.DEFAULT_ROUTE_TABLE_VALIDITY_MILLIS));
        }

        public static Options defaults() {
            return new Options(256, 128, RouterLimits.DEFAULT_MAX_IN_FLIGHT,
                    Duration.ofMillis(RouterLimits.DEFAULT_QUERY_TIMEOUT_MILLIS));
        }
    }

    private final String uri;
    private final String name;
    private final List<String> replicaIds;
    private final Options options;
    private final BlockingQueue<Inbound> inbox;
    private final RouterMetrics metrics;
    /** Bumped at each connection recovery: delivery tags of an older epoch must never be acked. */
    private final AtomicLong epoch = new AtomicLong();
    private volatile String replyQueue;
    private volatile Connection connection;
    private RouterLoop loop;
    private volatile Thread loopThread;
    private volatile boolean closed;
    /** The queue whose consumer the broker cancelled (deleted?), or null. */
    private volatile String cancelled;

    public Router(String uri, String name, List<String> replicaIds, Options options) {
        this(uri, name, replicaIds, options, RouterMetrics.NONE);
    }

    /** With {@code metrics} told of the core's counters after every round. */
    public Router(String uri, String name, List<String> replicaIds, Options options, RouterMetrics metrics) {
        this.uri = uri;
        this.name = name;
        this.replicaIds = List.copyOf(replicaIds);
        this.options = options;
        this.metrics = metrics;
        // Four consumers (commands, queries, replies, routes), each with at most `prefetch` unacked
        // deliveries, and room for the wake-ups of confirms (offered, never waited for).
        this.inbox = new ArrayBlockingQueue<>(4 * options.prefetch() + 64);
    }

    public void start(Duration connectDeadline) throws IOException, TimeoutException {
        RouterCore core = new RouterCore(replicaIds, new RouterLimits(options.maxInFlight(), options.batchMax(),
                options.queryTimeout().toMillis(), options.routeTableValidity().toMillis()));
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
        if (!Topology.ensure(connection, replicaIds)) {
            LOG.info("topology checked (this user may not declare it)");
        }
        Channel publishChannel = connection.createChannel();
        publishChannel.confirmSelect();
        Channel consumeChannel = connection.createChannel();
        consumeChannel.basicQos(options.prefetch());
        Channel routeChannel = connection.createChannel();
        routeChannel.basicQos(options.prefetch());
        UnackedDeliveries unacked = new UnackedDeliveries(consumeChannel, epoch::get, 3 * options.prefetch());
        ReadyExecutor executor = new ReadyExecutor(publishChannel, () -> inbox.offer(Inbound.WAKE), () -> replyQueue, name, unacked);
        loop = new RouterLoop(inbox, epoch::get, core, executor, new RouteDesk(routeChannel, epoch::get), unacked,
                options.batchMax(), metrics);
        replyQueue = consumeChannel.queueDeclare().getQueue();
        consumeChannel.basicConsume(replyQueue, false, name + "-replies",
                (tag, delivery) -> enqueue(new Inbound(epoch.get(), replyQueue, delivery, true)), tag -> cancelled = "its reply queue");
        routeChannel.basicConsume(Topology.ROUTER_ROUTES, false, name + "-" + Topology.ROUTER_ROUTES,
                (tag, delivery) -> enqueue(new Inbound(epoch.get(), Topology.ROUTER_ROUTES, delivery, false)),
                tag -> cancelled = Topology.ROUTER_ROUTES);
        for (String queue : List.of(Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES)) {
            consumeChannel.basicConsume(queue, false, name + "-" + queue,
                    (tag, delivery) -> enqueue(new Inbound(epoch.get(), queue, delivery, false)), tag -> cancelled = queue);
        }
        loopThread = new Thread(loop, "router-loop");
        loopThread.start();
    }

    private void enqueue(Inbound inbound) {
        try {
            // Bounded by prefetch: the broker never sends more than the inbox can hold.
            inbox.put(inbound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Up only while the router consumes: started, its connection open, its consumers not cancelled
     * by the broker and its loop running. Down while automatic recovery reconnects, and after close.
     */
    public Health.Status health() {
        Connection c = connection;
        Thread t = loopThread;
        if (closed) {
            return Health.Status.down("stopped");
        }
        if (c == null || t == null) {
            return Health.Status.down("starting");
        }
        if (!c.isOpen()) {
            return Health.Status.down("broker connection lost; recovering");
        }
        if (cancelled != null) {
            return Health.Status.down("the broker cancelled the consumer of " + cancelled + " (queue deleted?)");
        }
        if (!t.isAlive()) {
            return Health.Status.down("the router loop stopped");
        }
        return Health.Status.up("consuming " + Topology.ROUTER_ROUTES + ", " + Topology.ROUTER_QUERIES + " and "
                + Topology.ROUTER_COMMANDS);
    }

    @Override
    public void close() {
        closed = true;
        if (loop != null) {
            loop.stop();
            loopThread.interrupt();
            try {
                loopThread.join(5000);
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
