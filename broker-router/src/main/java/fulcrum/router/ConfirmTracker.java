package fulcrum.router;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The publisher confirms of the router's publish channel, tracked asynchronously: the loop records
 * each publish's sequence number before it publishes, the broker's acks (one or many at once, in
 * any order across queues) remove them on the connection's thread, and {@code wake} tells the loop
 * to look again. Nothing waits for a confirm.
 */
final class ConfirmTracker {
    private final Channel channel;
    private final ConcurrentSkipListSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
    private volatile boolean nacked;

    ConfirmTracker(Channel channel, Runnable wake) {
        this.channel = channel;
        channel.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long seq, boolean multiple) {
                if (multiple) {
                    unconfirmed.headSet(seq, true).clear();
                } else {
                    unconfirmed.remove(seq);
                }
                wake.run();
            }

            @Override
            public void handleNack(long seq, boolean multiple) {
                nacked = true; // the broker lost it: the loop resets and every unacked delivery comes again
                wake.run();
            }
        });
    }

    /** The sequence number the next publish gets, recorded as unconfirmed (call just before publishing). */
    long beforePublish() {
        long seq = channel.getNextPublishSeqNo();
        unconfirmed.add(seq);
        return seq;
    }

    /** The sequence number of the latest publish (0 when none yet). */
    long latest() {
        return channel.getNextPublishSeqNo() - 1;
    }

    /** Whether every publish up to {@code seq} was confirmed. */
    boolean confirmedUpTo(long seq) {
        Long lowest = unconfirmed.ceiling(Long.MIN_VALUE); // null when none: first() would throw if the listener emptied it meanwhile
        return lowest == null || lowest > seq;
    }

    boolean nacked() {
        return nacked;
    }

    /** After a reset: what was unconfirmed is the core's to forget, and the broker's to deliver again. */
    void forget() {
        unconfirmed.clear();
        nacked = false;
    }
}
