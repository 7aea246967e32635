package fulcrum.common.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.replica.Reply;
import java.io.IOException;

/**
 * What a component does with a message it cannot process: publish it, with the reason in headers,
 * to {@code fulcrum.dlx} (the caller waits for the confirm before acking the original), and answer
 * the sender when it asked for a reply. The queue keeps flowing; nothing is retried in a loop.
 */
public final class DeadLetters {
    private DeadLetters() {
    }

    public static void publish(Channel confirmChannel, AMQP.BasicProperties original, byte[] body, String code,
                               String reason, String sourceQueue, String component) throws IOException {
        confirmChannel.basicPublish(Topology.DEAD_LETTER_EXCHANGE, "", false,
                Amqp.deadLetterProperties(original, code, reason, sourceQueue, component), body);
    }

    /** Sends {@code reply} to the message's reply_to, if it has one. Replies are not persistent. */
    public static void replyIfAsked(Channel channel, AMQP.BasicProperties original, Reply reply) throws IOException {
        if (original == null || original.getReplyTo() == null || original.getReplyTo().isEmpty()) {
            return;
        }
        String correlationId = original.getCorrelationId() != null ? original.getCorrelationId() : original.getMessageId();
        channel.basicPublish("", original.getReplyTo(), false,
                Amqp.replyProperties(correlationId, reply.command() == null ? null : reply.command().name()),
                ReplyCodec.encode(reply));
    }
}
