package fulcrum.router;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.replica.Reply;
import fulcrum.core.router.InboundRef;
import fulcrum.core.router.RouterCore;
import fulcrum.core.router.RouterReady;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's one thread: takes a batch of deliveries from the inbox, feeds them and the time to
 * the {@link RouterCore}, answers route requests, publishes the Ready the core then has, and
 * advances every published Ready the broker has confirmed since (confirms come asynchronously; a
 * confirm puts {@link Inbound#WAKE} in the inbox). Nothing waits for a confirm. The core and the
 * table of unacked deliveries are touched by this thread only, so they need no locks.
 */
final class RouterLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterLoop.class);
    /** How often the core hears the time when nothing arrives: the grain of the query timeout. */
    private static final long POLL_MILLIS = 100;

    private final BlockingQueue<Inbound> inbox;
    private final LongSupplier epoch;
    private final RouterCore core;
    private final ReadyExecutor executor;
    private final RouteDesk routes;
    private final UnackedDeliveries unacked;
    private final int batchMax;
    private final RouterMetrics metrics;
    private volatile boolean running = true;
    private long seenEpoch;

    RouterLoop(BlockingQueue<Inbound> inbox, LongSupplier epoch, RouterCore core, ReadyExecutor executor, RouteDesk routes,
               UnackedDeliveries unacked, int batchMax, RouterMetrics metrics) {
        this.inbox = inbox;
        this.epoch = epoch;
        this.core = core;
        this.executor = executor;
        this.routes = routes;
        this.unacked = unacked;
        this.batchMax = batchMax;
        this.metrics = metrics;
        this.seenEpoch = epoch.getAsLong();
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        List<Inbound> batch = new ArrayList<>(batchMax);
        while (running) {
            try {
                Inbound first = inbox.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    inbox.drainTo(batch, batchMax - 1);
                }
                round(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                // Nothing is known about what reached the broker since the last confirm: hand every
                // unacked delivery back (replicas deduplicate by message id) and let the core forget
                // or answer what it had in flight.
                LOG.warn("round of {} deliveries failed: {}; unacked deliveries go back to the queue",
                        batch.size(), Amqp.rootMessage(e));
                core.reset();
                executor.forgetAll();
                unacked.requeueAll();
            } finally {
                batch.clear();
                metrics.observe(core.counters(), core.inFlight());
            }
        }
    }

    private void round(List<Inbound> batch) throws IOException {
        long current = epoch.getAsLong();
        if (current != seenEpoch) {
            // The connection was recovered: its deliveries come again, the old reply queue is gone,
            // and the confirms of what was published on the old channel never come.
            seenEpoch = current;
            core.reset();
            executor.forgetAll();
        }
        core.tick(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        List<InboundRef> replies = new ArrayList<>();
        List<Inbound> routeRequests = new ArrayList<>();
        for (Inbound inbound : batch) {
            if (inbound.isWake() || inbound.epoch() != current) {
                continue; // a wake-up only; or delivered on a channel that is gone: the broker delivers it again
            }
            if (inbound.isRouteRequest()) {
                routeRequests.add(inbound);
                continue;
            }
            InboundRef ref = unacked.received(inbound);
            if (inbound.isReply()) {
                onReply(inbound);
                replies.add(ref);
            } else {
                core.onClientMessage(ref, ClientMessages.read(inbound));
            }
        }
        routes.answer(routeRequests, core);
        if (core.hasReady()) {
            executor.publish(core.ready(), replies);
        } else {
            for (InboundRef reply : replies) {
                unacked.ack(reply); // nothing to relay (a reply to a forgotten forward): nothing to wait for
            }
        }
        while (executor.advanceConfirmed(core)) {
            if (core.hasReady()) {
                executor.publish(core.ready(), List.of()); // the acks, and dead letters, its confirms allowed
            }
        }
    }

    private void onReply(Inbound inbound) {
        String forwardId = String.valueOf(inbound.delivery().getProperties().getCorrelationId());
        byte[] body = inbound.delivery().getBody();
        Reply reply;
        try {
            reply = ReplyCodec.decode(body);
        } catch (IllegalArgumentException e) {
            LOG.warn("unreadable reply to forward {}: {}", forwardId, e.getMessage());
            core.onUnreadableReply(forwardId, body);
            return;
        }
        core.onReplicaReply(forwardId, reply, body);
    }
}
