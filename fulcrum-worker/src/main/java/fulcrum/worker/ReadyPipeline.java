package fulcrum.worker;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.ConfirmTracker;
import fulcrum.common.wire.BatchCodec;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.Ready;
import fulcrum.core.node.ReplicaNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Readys the loop has handed out and not yet advanced, each carried out in the order that
 * keeps the guarantees — commit (on the {@link Committer}'s thread), publish, confirms, replies,
 * acks, announcement, {@code advance} — while the loop already feeds the node and takes the next
 * Readys, and the committer already syncs them. A Ready is published once it is committed and
 * every Ready before it is confirmed; it is answered and acked once its own publications are
 * confirmed: Readys complete in the order they were handed out. At most {@code depth} are in
 * flight ({@link WorkerSettings#pipelineDepth}, 1 by default: the loop then executes the next
 * deliveries while the one Ready is synced and confirmed, and takes them all in the next).
 *
 * <p>A Ready whose publication fails (a nack, a return, a lost channel, no confirm in time, an
 * error sending its answers) is handed back: its deliveries are requeued and nothing of it is
 * answered; the node publishes again what it carried, and every Ready handed out before the
 * failure is no longer deliverable ({@link ReplicaNode#deliverable}) and is handed back in turn.
 * A failed commit is fatal: {@link #progress} throws.
 */
final class ReadyPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyPipeline.class);
    private static final long CONFIRM_TIMEOUT_NANOS = 30_000_000_000L;

    /** One Ready on its way. */
    private static final class InFlight {
        final Ready ready;
        final Committer.Commit commit;
        /** The deliveries it settles (dead letters need the original message, metrics its arrival). */
        final Map<DeliveryRef, Inbound> deliveries;
        /** The body of each of the Ready's replies, in their order. */
        final List<byte[]> replyBodies;
        boolean published;
        boolean failed;
        ConfirmTracker.Range range;
        long publishedNanos;

        InFlight(Ready ready, Committer.Commit commit, Map<DeliveryRef, Inbound> deliveries, List<byte[]> replyBodies) {
            this.ready = ready;
            this.commit = commit;
            this.deliveries = deliveries;
            this.replyBodies = replyBodies;
        }
    }

    private final ReplicaNode node;
    private final BrokerLink broker;
    private final Committer committer;
    private final ReplicaMetrics metrics;
    /** Readys in flight at most ({@link WorkerSettings#pipelineDepth}). */
    private final int depth;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** Deliveries fed to the node and not yet in a Ready. */
    private final Map<DeliveryRef, Inbound> fed = new HashMap<>();

    ReadyPipeline(ReplicaNode node, BrokerLink broker, Committer committer, ReplicaMetrics metrics, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("pipeline depth must be at least 1, got " + depth);
        }
        this.depth = depth;
        this.node = node;
        this.broker = broker;
        this.committer = committer;
        this.metrics = metrics;
    }

    boolean isEmpty() {
        return inFlight.isEmpty();
    }

    /** A delivery the loop feeds to the node now. */
    void fed(Inbound in) {
        fed.put(in.ref(), in);
    }

    /** Takes Readys from the node while there is room, and hands each batch to the committer at once. */
    void fill() {
        while (inFlight.size() < depth) {
            Ready ready = node.ready();
            if (ready == null) {
                if (inFlight.isEmpty()) {
                    fed.clear(); // everything fed was settled (nothing is left over for a later Ready)
                }
                return;
            }
            Map<DeliveryRef, Inbound> deliveries = new HashMap<>();
            ready.acks().forEach(ref -> take(ref, deliveries));
            ready.requeues().forEach(ref -> take(ref, deliveries));
            ready.deadLetters().forEach(dl -> take(dl.delivery(), deliveries));
            List<byte[]> replyBodies = new ArrayList<>(ready.replies().size());
            for (Ready.OutboundReply r : ready.replies()) {
                byte[] body = ReplyCodec.encode(r.reply()); // once: the store writes these bytes too
                ready.commit().useEncodedReply(r.reply(), body);
                replyBodies.add(body);
            }
            inFlight.addLast(new InFlight(ready, committer.submit(ready.commit()), deliveries, replyBodies));
        }
    }

    private void take(DeliveryRef ref, Map<DeliveryRef, Inbound> into) {
        Inbound in = fed.remove(ref);
        if (in != null) {
            into.put(ref, in);
        }
    }

    /**
     * Carries the oldest Readys on as far as they go: once committed, the oldest is published; once
     * its confirms are in (or it failed), it is answered and acked (or handed back), and the next
     * becomes the oldest. Later Readys are committed meanwhile, but published only once every earlier
     * one is confirmed, so that peers always receive a prefix of this replica's stream: a later batch
     * confirmed after an earlier one failed would leave them a gap, unrepairable if this disk were
     * then lost.
     *
     * @return whether a Ready was handed back because its publication failed
     * @throws IllegalStateException when a commit failed (fatal: the node is ahead of the disk)
     */
    boolean progress() {
        boolean handedBack = false;
        while (!inFlight.isEmpty()) {
            InFlight head = inFlight.peekFirst();
            if (!head.commit.done()) {
                break;
            }
            if (head.commit.failure() != null) {
                throw new IllegalStateException("commit failed: " + head.commit.failure().getMessage(), head.commit.failure());
            }
            if (!head.published) {
                afterCommit(head);
            }
            ConfirmTracker.Outcome outcome = head.failed ? ConfirmTracker.Outcome.FAILED : broker.outcome(head.range);
            if (outcome == ConfirmTracker.Outcome.PENDING) {
                if (System.nanoTime() - head.publishedNanos < CONFIRM_TIMEOUT_NANOS) {
                    break;
                }
                LOG.warn("no confirm of Ready {}'s publications within {} s", head.ready.id(), CONFIRM_TIMEOUT_NANOS / 1_000_000_000L);
                outcome = ConfirmTracker.Outcome.FAILED;
            }
            inFlight.removeFirst();
            if (head.range != null) {
                broker.forget(head.range);
            }
            boolean delivered = outcome == ConfirmTracker.Outcome.CONFIRMED && node.deliverable(head.ready) && deliver(head);
            if (!delivered) {
                handBack(head);
                handedBack = true;
            }
        }
        return handedBack;
    }

    /** The batch is durable and the ones before it delivered: the first crash point, then the publications. */
    private void afterCommit(InFlight f) {
        Ready ready = f.ready;
        f.published = true;
        if (!ready.commit().isEmpty()) {
            metrics.committed(settledCount(ready), f.commit.nanos());
        }
        boolean settles = settlesDeliveries(ready);
        if (settles && !ready.commit().isEmpty()) {
            CrashPoints.hit(CrashPoints.AFTER_COMMIT_BEFORE_ACK);
        }
        ready.notes().forEach(n -> LOG.info("{}", n));
        if (!node.deliverable(ready) || !broker.isOpen()) {
            f.failed = true; // handed back once it is the oldest: nothing of it is sent
            return;
        }
        try {
            ConfirmTracker.Range start = broker.publicationStart();
            try {
                for (Ready.Outbound m : ready.messages()) {
                    broker.publish(m);
                }
                for (Ready.DeadLetter dl : ready.deadLetters()) {
                    Inbound original = f.deliveries.get(dl.delivery());
                    if (original != null) {
                        LOG.warn("dead-lettering a {} message ({}): {} {}", dl.delivery().source().name().toLowerCase(),
                                original.properties().getMessageId(), dl.code(), dl.reason());
                        broker.deadLetter(original, dl.code().name(), dl.reason());
                    }
                }
            } finally {
                f.range = broker.publicationsSince(start);
                f.publishedNanos = System.nanoTime();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("a batch is on disk but could not be published ({}); its deliveries come back", Amqp.rootMessage(e));
            f.failed = true;
        }
    }

    /** Confirmed: the second crash point, then answers, acks, the announcement; false if sending failed. */
    private boolean deliver(InFlight f) {
        Ready ready = f.ready;
        if (settlesDeliveries(ready) && !ready.messages().isEmpty()) {
            CrashPoints.hit(CrashPoints.AFTER_PUBLISH_BEFORE_REPLY);
        }
        try {
            sendReplies(ready.replies(), f.replyBodies);
            acknowledge(ready);
        } catch (IOException | RuntimeException e) {
            LOG.warn("a batch is on disk but could not be answered or acknowledged ({}); its deliveries come back",
                    Amqp.rootMessage(e));
            return false;
        }
        measureSettledCommands(f);
        if (ready.status() != null) {
            broker.announce(ready.status());
        }
        node.advance(ready, true);
        return true;
    }

    /**
     * One message per reply of a command that came alone, one per batch for the replies of a batch's
     * commands (the node writes them one after another, with the batch's address).
     */
    private void sendReplies(List<Ready.OutboundReply> replies, List<byte[]> bodies) throws IOException {
        int i = 0;
        while (i < replies.size()) {
            Ready.OutboundReply first = replies.get(i);
            if (!first.batched()) {
                broker.reply(first, bodies.get(i++));
                continue;
            }
            List<String> ids = new ArrayList<>();
            List<byte[]> batchBodies = new ArrayList<>();
            while (i < replies.size() && replies.get(i).batched() && replies.get(i).address().equals(first.address())) {
                ids.add(replies.get(i).batchedCommandId());
                batchBodies.add(bodies.get(i++));
            }
            broker.replyBatch(first.address(), BatchCodec.encodeReplies(ids, batchBodies));
        }
    }

    /** Durable but not delivered: whatever was not acked comes back, and the node publishes it again. */
    private void handBack(InFlight f) {
        f.ready.acks().forEach(broker::requeue);
        f.ready.requeues().forEach(broker::requeue);
        node.advance(f.ready, false);
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

    /** From delivery to ack, for every command that {@code f} settled. */
    private void measureSettledCommands(InFlight f) {
        long now = System.nanoTime();
        for (DeliveryRef ref : f.ready.acks()) {
            Inbound in = ref.source() == DeliveryRef.Source.COMMANDS ? f.deliveries.get(ref) : null;
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
}
