package fulcrum.router;

import com.rabbitmq.client.Channel;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.ConfirmTracker;
import fulcrum.common.amqp.DeadLetters;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.InboundRef;
import fulcrum.core.router.RouterCore;
import fulcrum.core.router.RouterReady;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link RouterReady}s on the broker without waiting: {@link #publish} publishes a
 * Ready and sends the acks it allows; {@link #advanceConfirmed} later, once the broker confirmed
 * all of the oldest Ready's publishes (the {@link ConfirmTracker} the workers use too: a range of
 * sequence numbers per Ready), reports its returned forwards to the core, advances the core with it
 * and acks the replica replies it relayed. Readies are advanced in the order they were published,
 * as the core requires; a nack fails the Ready it hit once that Ready is the oldest (the Readies
 * before it were confirmed and stand), and the loop resets: every unacked delivery comes again.
 */
final class ReadyExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ReadyExecutor.class);
    /** A Ready unconfirmed for this long means a broker in trouble: reset, and the deliveries come again. */
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    private final Channel publishChannel;
    private final ConfirmTracker confirms;
    private final Supplier<String> replyQueue;
    private final String component;
    private final UnackedDeliveries unacked;
    /** Forward ids the broker returned as unroutable; filled by the connection's thread. */
    private final Set<String> returned = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Published> published = new ArrayDeque<>();

    /** A Ready on its way: its publishes' sequence numbers, when, and the replies to ack once it is confirmed. */
    private record Published(RouterReady ready, ConfirmTracker.Range range, long atNanos, List<InboundRef> replies) {
    }

    /** @param wake called from the connection's thread on every confirm (to wake the loop) */
    ReadyExecutor(Channel publishChannel, Runnable wake, Supplier<String> replyQueue, String component,
                  UnackedDeliveries unacked) {
        this.publishChannel = publishChannel;
        this.confirms = new ConfirmTracker(wake);
        publishChannel.addConfirmListener(confirms);
        // the confirms of a closed channel's publishes never come; a recovered one numbers from 1 again
        publishChannel.addShutdownListener(cause -> confirms.newEpoch());
        this.replyQueue = replyQueue;
        this.component = component;
        this.unacked = unacked;
        publishChannel.addReturnListener(r -> returned.add(String.valueOf(r.getProperties().getCorrelationId())));
    }

    /**
     * Publishes {@code ready} and sends its acks (of messages whose forwards were confirmed before);
     * {@code replies} (replica replies it relays) are acked once its publishes are confirmed.
     */
    void publish(RouterReady ready, List<InboundRef> replies) throws IOException {
        ConfirmTracker.Range start = confirms.start(publishChannel.getNextPublishSeqNo());
        for (RouterReady.Forward forward : ready.forwards()) {
            confirms.publishing(publishChannel.getNextPublishSeqNo());
            publishChannel.basicPublish(Topology.REPLICA_EXCHANGE, forward.replica(), true,
                    ClientMessages.properties(forward.message())
                            .replyTo(replyQueue.get())
                            .correlationId(forward.forwardId())
                            .build(),
                    forward.message().body());
        }
        for (RouterReady.DeadLetter dead : ready.deadLetters()) {
            LOG.warn("dead-lettering message {} from {}: {} {}", dead.message().messageId(), dead.message().sourceQueue(),
                    dead.code(), dead.reason());
            confirms.publishing(publishChannel.getNextPublishSeqNo());
            DeadLetters.publish(publishChannel, ClientMessages.properties(dead.message()).build(), dead.message().body(),
                    dead.code().name(), dead.reason(), dead.message().sourceQueue(), component);
        }
        for (RouterReady.Relay relay : ready.relays()) {
            if (relay.reply() != null && relay.reply().errorCode() == ErrorCode.UNAVAILABLE) {
                LOG.warn("answering {} UNAVAILABLE: {}", relay.correlationId(), relay.reply().errorMessage());
            }
            byte[] body = relay.body() != null ? relay.body() : ReplyCodec.encode(relay.reply());
            confirms.publishing(publishChannel.getNextPublishSeqNo());
            publishChannel.basicPublish("", relay.replyTo(), false, Amqp.replyProperties(relay.correlationId(), relay.type()), body);
        }
        for (InboundRef ref : ready.acks()) {
            unacked.ack(ref);
        }
        published.addLast(new Published(ready, ConfirmTracker.since(start, publishChannel.getNextPublishSeqNo()),
                System.nanoTime(), List.copyOf(replies)));
    }

    /**
     * Advances the core with the oldest published Ready if the broker confirmed all of it.
     *
     * @return whether one was advanced
     * @throws IOException when the broker nacked a publish or has not confirmed the oldest Ready in time
     */
    boolean advanceConfirmed(RouterCore core) throws IOException {
        Published oldest = published.peekFirst();
        if (oldest == null) {
            return false;
        }
        ConfirmTracker.Outcome outcome = confirms.outcome(oldest.range());
        if (outcome == ConfirmTracker.Outcome.FAILED) {
            throw new IOException("the broker nacked a publish, or the channel closed before confirming it");
        }
        if (outcome == ConfirmTracker.Outcome.PENDING) {
            if (System.nanoTime() - oldest.atNanos() > CONFIRM_TIMEOUT.toNanos()) {
                throw new IOException("no confirm from the broker within " + CONFIRM_TIMEOUT.toSeconds() + " s");
            }
            return false;
        }
        published.removeFirst();
        confirms.forget(oldest.range());
        // A return always precedes the confirm of its message, so the set holds this Ready's returns.
        for (RouterReady.Forward forward : oldest.ready().forwards()) {
            if (returned.remove(forward.forwardId())) {
                core.onForwardReturned(forward.forwardId());
            }
        }
        if (!oldest.ready().forwards().isEmpty()) {
            CrashPoints.hit(CrashPoints.ROUTER_AFTER_FORWARD_BEFORE_ACK);
        }
        core.advance(oldest.ready());
        for (InboundRef reply : oldest.replies()) {
            unacked.ack(reply);
        }
        return true;
    }

    /** Readies published and not advanced yet. */
    int outstanding() {
        return published.size();
    }

    /** After a reset: nothing published is waited for any more. */
    void forgetAll() {
        published.clear();
        returned.clear();
        confirms.newEpoch(); // what was unconfirmed is the core's to forget, and the broker's to deliver again
    }
}
