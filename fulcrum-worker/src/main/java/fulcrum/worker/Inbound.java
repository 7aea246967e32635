package fulcrum.worker;

import com.rabbitmq.client.AMQP;
import fulcrum.core.node.DeliveryRef;

/**
 * A delivery as the consumers hand it to the loop: where it came from, and its bytes.
 *
 * @param receivedNanos {@link System#nanoTime()} when the consumer took it (for the command latency)
 */
record Inbound(DeliveryRef ref, AMQP.BasicProperties properties, byte[] body, String queue, long receivedNanos) {
}
