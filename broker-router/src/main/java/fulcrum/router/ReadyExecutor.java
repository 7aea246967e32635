package fulcrum.router;

import com.rabbitmq.client.Channel;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.DeadLetters;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.InboundRef;
import fulcrum.core.router.RouterCore;
import fulcrum.core.router.RouterReady;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one {@link RouterReady} on the broker, in the order it prescribes: publish, wait for
 * the confirms, report returned forwards to the core, ack. The caller advances the core after.
 */
final class ReadyExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ReadyExecutor.class);
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    private final Channel publishChannel;
    private final Supplier<String> replyQueue;
    private final String component;
    private final UnackedDeliveries unacked;
    /** Forward ids the broker returned as unroutable; filled by the connection's thread. */
    private final Set<String> returned = ConcurrentHashMap.newKeySet();

    ReadyExecutor(Channel publishChannel, Supplier<String> replyQueue, String component, UnackedDeliveries unacked) {
        this.publishChannel = publishChannel;
        this.replyQueue = replyQueue;
        this.component = component;
        this.unacked = unacked;
        publishChannel.addReturnListener(r -> returned.add(String.valueOf(r.getProperties().getCorrelationId())));
    }

    void execute(RouterReady ready, RouterCore core) throws IOException, InterruptedException, TimeoutException {
        returned.clear();
        for (RouterReady.Forward forward : ready.forwards()) {
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
            DeadLetters.publish(publishChannel, ClientMessages.properties(dead.message()).build(), dead.message().body(),
                    dead.code().name(), dead.reason(), dead.message().sourceQueue(), component);
        }
        for (RouterReady.Relay relay : ready.relays()) {
            if (relay.reply() != null && relay.reply().errorCode() == ErrorCode.UNAVAILABLE) {
                LOG.warn("answering {} UNAVAILABLE: {}", relay.correlationId(), relay.reply().errorMessage());
            }
            byte[] body = relay.body() != null ? relay.body() : ReplyCodec.encode(relay.reply());
            publishChannel.basicPublish("", relay.replyTo(), false, Amqp.replyProperties(relay.correlationId(), relay.type()), body);
        }
        if (!publishChannel.waitForConfirms(CONFIRM_TIMEOUT.toMillis())) {
            throw new IOException("the broker nacked a publish");
        }
        // A return always precedes the confirm of its message, so the set is complete here.
        for (RouterReady.Forward forward : ready.forwards()) {
            if (returned.contains(forward.forwardId())) {
                core.onForwardReturned(forward.forwardId());
            }
        }
        if (!ready.forwards().isEmpty()) {
            CrashPoints.hit(CrashPoints.ROUTER_AFTER_FORWARD_BEFORE_ACK);
        }
        for (InboundRef ref : ready.acks()) {
            unacked.ack(ref);
        }
    }
}
