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
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's one thread: takes a batch of deliveries from the inbox, feeds them and the time to
 * the {@link RouterCore}, and carries out every Ready the core then has. The core and the table of
 * unacked deliveries are touched by this thread only, so they need no locks.
 */
final class RouterLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterLoop.class);
    /** How often the core hears the time when nothing arrives: the grain of the query timeout. */
    private static final long POLL_MILLIS = 100;
    /**
     * Readies per round: the forwards and answers, then the dead letters of returned forwards with the
     * first acks, then the acks those dead letters allow. A fourth would be a bug in the core.
     */
    private static final int MAX_READIES_PER_ROUND = 3;

    private final BlockingQueue<Inbound> inbox;
    private final LongSupplier epoch;
    private final RouterCore core;
    private final ReadyExecutor executor;
    private final UnackedDeliveries unacked;
    private final int batchMax;
    private final RouterMetrics metrics;
    private volatile boolean running = true;
    private long seenEpoch;

    RouterLoop(BlockingQueue<Inbound> inbox, LongSupplier epoch, RouterCore core, ReadyExecutor executor,
               UnackedDeliveries unacked, int batchMax, RouterMetrics metrics) {
        this.inbox = inbox;
        this.epoch = epoch;
        this.core = core;
        this.executor = executor;
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
            } catch (IOException | RuntimeException | TimeoutException e) {
                // Nothing is known about what of this round reached the broker: hand every unacked
                // delivery back (replicas deduplicate by message id) and let the core forget or
                // answer what it had in flight.
                LOG.warn("round of {} deliveries failed: {}; unacked deliveries go back to the queue",
                        batch.size(), Amqp.rootMessage(e));
                core.reset();
                unacked.requeueAll();
            } finally {
                batch.clear();
                metrics.observe(core.counters(), core.inFlight());
            }
        }
    }

    private void round(List<Inbound> batch) throws IOException, InterruptedException, TimeoutException {
        long current = epoch.getAsLong();
        if (current != seenEpoch) {
            // The connection was recovered: its deliveries come again and the old reply queue is gone.
            seenEpoch = current;
            core.reset();
        }
        core.tick(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        List<InboundRef> replies = new ArrayList<>();
        for (Inbound inbound : batch) {
            if (inbound.epoch() != current) {
                continue; // delivered on a channel that is gone: the broker delivers it again
            }
            InboundRef ref = unacked.received(inbound);
            if (inbound.isReply()) {
                onReply(inbound);
                replies.add(ref);
            } else {
                core.onClientMessage(ref, ClientMessages.read(inbound));
            }
        }
        for (int readies = 0; core.hasReady(); readies++) {
            if (readies == MAX_READIES_PER_ROUND) {
                throw new IllegalStateException("the core still has work after " + readies + " Readies");
            }
            RouterReady ready = core.ready();
            executor.execute(ready, core);
            core.advance(ready);
        }
        for (InboundRef reply : replies) {
            unacked.ack(reply);
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
