package fulcrum.worker;

import com.rabbitmq.client.ConfirmListener;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's confirms of the worker's confirm channel, taken asynchronously (the loop never
 * blocks on them): which publish sequence numbers are still unconfirmed, which were refused. A
 * channel that shuts down or recovers starts its numbers again, so it starts a new epoch in which
 * every publication of the older one counts as failed: the broker may or may not hold it, and the
 * node publishes it again.
 */
final class ConfirmTracker implements ConfirmListener {
    /** The outcome of one Ready's publications. */
    enum Outcome { CONFIRMED, PENDING, FAILED }

    /** The sequence numbers one Ready's publications took ({@code last < first} when it published nothing). */
    record Range(long epoch, long first, long last) {
        boolean isEmpty() {
            return last < first;
        }
    }

    private final NavigableSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
    private final NavigableSet<Long> refused = new ConcurrentSkipListSet<>();
    private final AtomicLong epoch = new AtomicLong();
    private final Runnable onChange;

    /** @param onChange called from the connection's thread on every confirm (to wake the loop) */
    ConfirmTracker(Runnable onChange) {
        this.onChange = onChange;
    }

    long epoch() {
        return epoch.get();
    }

    /** Called before the publish that takes {@code seq}, so its confirm cannot come first. */
    void publishing(long seq) {
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
    void newEpoch() {
        epoch.incrementAndGet();
        unconfirmed.clear();
        refused.clear();
        onChange.run();
    }

    Outcome outcome(Range range) {
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
    void forget(Range range) {
        if (!range.isEmpty()) {
            refused.subSet(range.first(), true, range.last(), true).clear();
        }
    }
}
