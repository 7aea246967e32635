package fulcrum.router;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.wire.RouteCodec;
import fulcrum.core.router.ClientMessage;
import fulcrum.core.router.RouteAnswer;
import fulcrum.core.router.RouterCore;
import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers route requests (the direct write path) on a channel of their own: the core decides the
 * route, the answer goes to the request's reply-to at once (transient, unconfirmed: a lost answer
 * is asked again), and the requests are acked together. Nothing of a route request is kept.
 */
final class RouteDesk {
    private static final Logger LOG = LoggerFactory.getLogger(RouteDesk.class);

    private final Channel channel;
    private final LongSupplier epoch;

    RouteDesk(Channel channel, LongSupplier epoch) {
        this.channel = channel;
        this.epoch = epoch;
    }

    /** Answers {@code requests} (delivered in the current epoch, in delivery order) and acks them. */
    void answer(List<Inbound> requests, RouterCore core) throws IOException {
        if (requests.isEmpty()) {
            return;
        }
        for (Inbound request : requests) {
            ClientMessage message = ClientMessages.read(request);
            RouteAnswer answer = core.onRouteRequest(message);
            if (!answer.ok()) {
                LOG.warn("route request {} refused: {} {}", message.messageId(), answer.errorCode(), answer.errorMessage());
            }
            if (message.wantsAnswer()) {
                AMQP.BasicProperties props = Amqp.replyProperties(message.answerCorrelationId(), RouteCodec.TYPE);
                channel.basicPublish("", message.replyTo(), false, props, RouteCodec.encode(answer));
            }
        }
        Inbound last = requests.get(requests.size() - 1);
        if (last.epoch() == epoch.getAsLong()) {
            channel.basicAck(last.tag(), true); // every earlier request of this channel was answered before
        }
    }
}
