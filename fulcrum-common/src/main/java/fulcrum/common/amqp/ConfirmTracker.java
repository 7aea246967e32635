package fulcrum.common.amqp;

import com.rabbitmq.client.ConfirmListener;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's publisher confirms of one confirm channel, taken asynchronously (nobody blocks on
 * them): which publish sequence numbers are still unconfirmed, which were refused. A daemon
 * publishes a batch (a worker's or a router's Ready), takes the {@link Range} of sequence numbers
 * it used, goes on, and asks later for the range's {@link Outcome}. A channel that shuts down or
 * recovers starts its numbers again, so it starts a new epoch in which every publication of the
 * older one counts as failed: the broker may or may not hold it, and the caller publishes it again
 * (a worker) or resets so that its deliveries come again (the router).
 */
public final class ConfirmTracker implements ConfirmListener {
    /** The outcome of one Ready's publications. */
    public enum Outcome { CONFIRMED, PENDING, FAILED }

    /** The sequence numbers one Ready's publications took ({@code last < first} when it published nothing). */
    public record Range(long epoch, long first, long last) {
        public boolean isEmpty() {
            return last < first;
        }
    }

    private final NavigableSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
    private final NavigableSet<Long> refused = new ConcurrentSkipListSet<>();
    private final AtomicLong epoch = new AtomicLong();
    private final Runnable onChange;

    /** @param onChange called from the connection's thread on every confirm (to wake the loop) */
    public ConfirmTracker(Runnable onChange) {
        this.onChange = onChange;
    }

    public long epoch() {
        return epoch.get();
    }

    /**
     * Where the next publications of a batch start, {@code nextPublishSeqNo} being the channel's
     * {@code getNextPublishSeqNo()}: an empty range, grown by {@link #since}.
     */
    public Range start(long nextPublishSeqNo) {
        return new Range(epoch.get(), nextPublishSeqNo, nextPublishSeqNo - 1);
    }

    /** The publications made since {@code start}, {@code nextPublishSeqNo} read after the last of them. */
    public static Range since(Range start, long nextPublishSeqNo) {
        return new Range(start.epoch(), start.first(), nextPublishSeqNo - 1);
    }

    /** Called before the publish that takes {@code seq}, so its confirm cannot come first. */
    public void publishing(long seq) {
        unconfirmed.add(seq);
    }

    @Override
    public void handleAck(long seq, boolean multiple) {
        settle(seq, multiple, false);
    }

    @Override
    public void handleNack(long seq, boolean multiple) {
        settle(seq, multiple, true);
    }

    private void settle(long seq, boolean multiple, boolean nack) {
        NavigableSet<Long> settled = multiple ? unconfirmed.headSet(seq, true) : unconfirmed.subSet(seq, true, seq, true);
        if (nack) {
            refused.addAll(settled);
        }
        settled.clear();
        onChange.run();
    }

    /** The channel closed or recovers: what was unconfirmed will never be confirmed. */
    public void newEpoch() {
        epoch.incrementAndGet();
        unconfirmed.clear();
        refused.clear();
        onChange.run();
    }

    public Outcome outcome(Range range) {
        if (range.isEmpty()) {
            return Outcome.CONFIRMED;
        }
        boolean pending = !unconfirmed.subSet(range.first(), true, range.last(), true).isEmpty();
        boolean anyRefused = !refused.subSet(range.first(), true, range.last(), true).isEmpty();
        // read after the sets: a new epoch is raised before they are cleared, so a cleared set is never taken for confirms
        if (range.epoch() != epoch.get() || anyRefused) {
            return Outcome.FAILED;
        }
        return pending ? Outcome.PENDING : Outcome.CONFIRMED;
    }

    /** The Ready of {@code range} is done with: its refusals need no more remembering. */
    public void forget(Range range) {
        if (!range.isEmpty()) {
            refused.subSet(range.first(), true, range.last(), true).clear();
        }
    }
}
