package fulcrum.router;

import com.rabbitmq.client.Delivery;
import fulcrum.common.topology.Topology;

/**
 * A delivery from one of the router's queues: a client's command or query, a route request, or a
 * replica's reply; or {@link #WAKE}, which only wakes the loop (a confirm came).
 *
 * @param epoch the connection epoch it was delivered in: its delivery tag means nothing in another
 */
record Inbound(long epoch, String queue, Delivery delivery, boolean isReply) {
    /** Put into the inbox when the broker confirms a publish: the loop looks at its Readies again. */
    static final Inbound WAKE = new Inbound(-1, "", null, false);

    long tag() {
        return delivery.getEnvelope().getDeliveryTag();
    }

    boolean isWake() {
        return delivery == null;
    }

    boolean isRouteRequest() {
        return Topology.ROUTER_ROUTES.equals(queue);
    }
}
