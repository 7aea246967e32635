package fulcrum.core.router;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import java.util.Map;
import java.util.Objects;

/**
 * A client's command or query as the shell read it off the broker: what the core needs to route,
 * answer and dead-letter it. The body and headers are carried opaquely so that a forward or a dead
 * letter keeps what the client sent, byte for byte.
 *
 * @param messageId     the command id (may be missing: then the message is rejected)
 * @param replyTo       where answers go, or null when the client wants none
 * @param correlationId echoed in answers; the message id is used when null
 * @param type          the AMQP {@code type} property as sent
 * @param sourceQueue   the queue it came from (named in a dead letter)
 * @param headers       AMQP headers as sent, kept on forwards and dead letters
 * @param content       the decoded envelope, or why it could not be decoded
 */
public record ClientMessage(String messageId, String replyTo, String correlationId, String type, String sourceQueue,
                            Map<String, Object> headers, byte[] body, Content content) {
    public ClientMessage {
        Objects.requireNonNull(sourceQueue, "sourceQueue");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(content, "content");
        headers = headers == null ? Map.of() : headers;
    }

    /** What the body says, or why it says nothing usable. */
    public sealed interface Content permits Decoded, Undecodable {
    }

    /** A valid envelope: the command, the session's required clock (null: none) and its last replica (null: none). */
    public record Decoded(Command command, VectorClock requiredClock, String lastReplica) implements Content {
        public Decoded {
            Objects.requireNonNull(command, "command");
        }
    }

    /** The body broke the wire format or the domain rules; {@code kind} is the command it named (null: none readable). */
    public record Undecodable(ErrorCode code, String reason, CommandKind kind) implements Content {
        public Undecodable {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The correlation id answers carry: the client's, else the command id. */
    public String answerCorrelationId() {
        return correlationId != null ? correlationId : messageId;
    }

    /** Whether the client asked for answers. */
    public boolean wantsAnswer() {
        return replyTo != null && !replyTo.isEmpty();
    }
}
