package fulcrum.core.router;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.util.List;
import java.util.Objects;

/**
 * What the shell must do now, in this order:
 * <ol>
 *   <li>publish every {@link Forward} (persistent, {@code mandatory}), every {@link DeadLetter} and
 *       every {@link Relay}, on a channel in confirm mode, without waiting for the confirms;</li>
 *   <li>ack every ref in {@link #acks} (their forwards were confirmed before: see below);</li>
 *   <li>once the broker confirmed every publish of this Ready (tracked asynchronously, by confirm
 *       sequence number), report each forward it returned as unroutable with
 *       {@link RouterCore#onForwardReturned} (a return always precedes its confirm), then
 *       {@link RouterCore#advance} with this value. Later Readies may be taken and published
 *       meanwhile; they are advanced in the order they were taken.</li>
 * </ol>
 * If a publish is nacked, not confirmed in time, or the connection is lost, call
 * {@link RouterCore#reset} instead of advancing, and hand every inbound message not acked back to
 * the broker.
 *
 * <p>The acks here are for messages whose forward or dead letter was confirmed in an earlier Ready
 * and was not returned: an inbound message is acked only once something durable has taken it over.
 * That is why acks lag their forward by one Ready.
 */
public record RouterReady(List<Forward> forwards, List<DeadLetter> deadLetters, List<Relay> relays,
                          List<InboundRef> acks) {
    public RouterReady {
        forwards = List.copyOf(forwards);
        deadLetters = List.copyOf(deadLetters);
        relays = List.copyOf(relays);
        acks = List.copyOf(acks);
    }

    public boolean isEmpty() {
        return forwards.isEmpty() && deadLetters.isEmpty() && relays.isEmpty() && acks.isEmpty();
    }

    /**
     * Publish the client's message (same id, type, headers and body) to {@code replica}, with the
     * router's reply queue as reply-to and {@code forwardId} as correlation id.
     */
    public record Forward(String replica, String forwardId, ClientMessage message) {
        public Forward {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(forwardId, "forwardId");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Publish the client's message to the dead-letter exchange with this code and reason. */
    public record DeadLetter(ClientMessage message, ErrorCode code, String reason) {
        public DeadLetter {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Answer a client: {@code body} as it came from a replica, or {@code reply} made by the router
     * (to be encoded); exactly one of the two is set.
     */
    public record Relay(String replyTo, String correlationId, String type, byte[] body, Reply reply) {
        public Relay {
            Objects.requireNonNull(replyTo, "replyTo");
            if ((body == null) == (reply == null)) {
                throw new IllegalArgumentException("a relay carries either a replica's body or the router's reply");
            }
        }
    }
}
