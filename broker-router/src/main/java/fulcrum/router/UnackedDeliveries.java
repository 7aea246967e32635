package fulcrum.router;

import com.rabbitmq.client.Channel;
import fulcrum.common.amqp.Amqp;
import fulcrum.core.router.InboundRef;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deliveries of the consuming channel that are neither acked nor handed back yet. Tags are only
 * acked on the channel epoch that delivered them: after a connection recovery the broker
 * redelivers them anyway, and an old tag on the new channel would ack another message or close it.
 * Bounded by the prefetch of the three consumers.
 */
final class UnackedDeliveries {
    private static final Logger LOG = LoggerFactory.getLogger(UnackedDeliveries.class);

    private final Channel channel;
    private final LongSupplier currentEpoch;
    private final int bound;
    private final Set<Long> tags = new LinkedHashSet<>();
    /** The epoch of the channel that delivered {@link #tags}. */
    private long tagsEpoch;

    UnackedDeliveries(Channel channel, LongSupplier currentEpoch, int bound) {
        this.channel = channel;
        this.currentEpoch = currentEpoch;
        this.bound = bound;
        this.tagsEpoch = currentEpoch.getAsLong();
    }

    /** Records a delivery; returns the ref the core names it by. */
    InboundRef received(Inbound inbound) {
        if (inbound.epoch() != tagsEpoch) {
            tags.clear(); // a new channel: the old tags are void, the broker requeued their messages
            tagsEpoch = inbound.epoch();
        }
        if (!tags.add(inbound.tag()) || tags.size() > bound) {
            throw new IllegalStateException("delivery tag " + inbound.tag() + " seen twice, or more than " + bound
                    + " deliveries unacked: the broker's prefetch should make this impossible");
        }
        return new InboundRef(inbound.epoch(), inbound.tag());
    }

    void ack(InboundRef ref) throws IOException {
        if (isLive(ref.channelEpoch()) && tags.remove(ref.deliveryTag())) {
            channel.basicAck(ref.deliveryTag(), false);
        }
    }

    /** Hands every unacked delivery back to the broker, to be delivered again. */
    void requeueAll() {
        if (isLive(tagsEpoch)) {
            for (Long tag : tags) {
                try {
                    channel.basicNack(tag, false, true);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not requeue delivery {}: {}", tag, Amqp.rootMessage(e));
                    break; // the channel is gone: the broker requeues everything unacked by itself
                }
            }
        }
        tags.clear();
    }

    /** Whether tags of {@code epoch} belong to the channel as it is now (never ack or nack on another). */
    private boolean isLive(long epoch) {
        return epoch == tagsEpoch && epoch == currentEpoch.getAsLong();
    }
}
