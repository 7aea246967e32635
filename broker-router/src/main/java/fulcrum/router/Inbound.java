package fulcrum.router;

import com.rabbitmq.client.Delivery;

/**
 * A delivery from one of the router's queues: a client's command or query, or a replica's reply.
 *
 * @param epoch the connection epoch it was delivered in: its delivery tag means nothing in another
 */
record Inbound(long epoch, String queue, Delivery delivery, boolean isReply) {
    long tag() {
        return delivery.getEnvelope().getDeliveryTag();
    }
}
