package fulcrum.worker;

import com.rabbitmq.client.AMQP;
import fulcrum.common.wire.BatchCodec;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.node.BatchedCommand;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.ReplicaNode;
import fulcrum.core.node.ReplyAddress;
import fulcrum.core.protocol.Delta;
import java.util.List;

/** Turns a delivery's bytes into the node's inputs; what does not decode goes in as bad input. */
final class InputDecoder {
    private InputDecoder() {
    }

    /** @param selfAppId the AMQP app id this replica publishes under ({@link BrokerLink#appId}) */
    static void feed(ReplicaNode node, Inbound in, String selfAppId) {
        if (in.ref().source() == DeliveryRef.Source.COMMANDS) {
            command(node, in);
        } else if (in.ref().source() == DeliveryRef.Source.MERGE && Delta.TYPE.equals(in.properties().getType()) && selfAppId.equals(in.properties().getAppId())
                && node.onOwnDeltaEcho(in.ref())) {
            return; // its own delta back from the fanout: dropped unread
        } else {
            int max = in.ref().source() == DeliveryRef.Source.STATUS ? PeerCodec.MAX_STATUS_BODY_BYTES : PeerCodec.MAX_MERGE_BODY_BYTES;
            try {
                node.onPeerMessage(in.ref(), in.properties().getUserId(), PeerCodec.decode(in.properties().getType(), in.body(), max));
            } catch (PeerCodec.UndecodableException e) {
                node.onBadPeerMessage(in.ref(), e.unknownType() ? ErrorCode.UNKNOWN_COMMAND : ErrorCode.BAD_MESSAGE, e.getMessage());
            }
        }
    }

    private static void command(ReplicaNode node, Inbound in) {
        AMQP.BasicProperties props = in.properties();
        String commandId = props.getMessageId();
        String correlation = props.getCorrelationId() != null ? props.getCorrelationId() : commandId;
        ReplyAddress address = new ReplyAddress(props.getReplyTo(), correlation);
        if (BatchCodec.COMMAND_BATCH_TYPE.equals(props.getType())) {
            batch(node, in, address);
            return;
        }
        CommandKind kindHint = props.getType() == null ? null : CommandKind.parse(props.getType()).orElse(null);
        if (commandId == null || commandId.isBlank()) {
            node.onBadCommand(in.ref(), address, kindHint, ErrorCode.BAD_MESSAGE, "message has no message_id (the command id)");
            return;
        }
        CommandCodec.Envelope envelope;
        try {
            envelope = CommandCodec.decodeEnvelope(in.body(), props.getType());
        } catch (InvalidCommandException e) {
            node.onBadCommand(in.ref(), address, e.kind() != null ? e.kind() : kindHint, e.code(), e.getMessage());
            return;
        }
        node.onCommand(in.ref(), address, commandId, envelope.command(), envelope.requiredClock());
    }

    /** Several commands in one message: each command id is in the body; what breaks the batch refuses it whole. */
    private static void batch(ReplicaNode node, Inbound in, ReplyAddress address) {
        List<BatchedCommand> commands;
        try {
            commands = BatchCodec.decodeCommands(in.body());
        } catch (InvalidCommandException e) {
            node.onBadCommand(in.ref(), address, null, e.code(), e.getMessage());
            return;
        }
        node.onCommandBatch(in.ref(), address, commands);
    }
}
