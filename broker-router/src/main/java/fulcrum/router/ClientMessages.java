package fulcrum.router;

import com.rabbitmq.client.AMQP;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.BatchCodec;
import fulcrum.common.wire.CommandCodec;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.router.ClientMessage;

/** Translates between AMQP messages and the core's {@link ClientMessage}. */
final class ClientMessages {
    private ClientMessages() {
    }

    /** Reads a client's delivery: the envelope if the body is valid, else why it is not. */
    static ClientMessage read(Inbound inbound) {
        AMQP.BasicProperties props = inbound.delivery().getProperties();
        byte[] body = inbound.delivery().getBody();
        ClientMessage.Content content;
        try {
            if (BatchCodec.COMMAND_BATCH_TYPE.equals(props.getType())) {
                throw new InvalidCommandException(ErrorCode.BAD_MESSAGE, "a " + BatchCodec.COMMAND_BATCH_TYPE
                        + " goes straight to a replica (exchange " + Topology.REPLICA_EXCHANGE + "), not through Mos Eisley");
            }
            CommandCodec.Envelope envelope = CommandCodec.decodeEnvelope(body, props.getType());
            content = new ClientMessage.Decoded(envelope.command(), envelope.requiredClock(), envelope.lastReplica());
        } catch (InvalidCommandException e) {
            content = new ClientMessage.Undecodable(e.code(), e.getMessage(), e.kind());
        }
        return new ClientMessage(props.getMessageId(), props.getReplyTo(), props.getCorrelationId(), props.getType(),
                inbound.queue(), props.getHeaders(), body, content);
    }

    /** The client's properties as the core kept them: what a forward or a dead letter carries on. */
    static AMQP.BasicProperties.Builder properties(ClientMessage message) {
        return new AMQP.BasicProperties.Builder()
                .contentType(Amqp.CONTENT_TYPE)
                .deliveryMode(2)
                .messageId(message.messageId())
                .correlationId(message.correlationId())
                .replyTo(message.replyTo())
                .type(message.type())
                .headers(message.headers().isEmpty() ? null : message.headers());
    }
}
