package fulcrum.common.client;

import fulcrum.common.topology.Topology;

/** What a client tells its user when the broker returns a publish as unroutable. */
final class Unroutable {
    private Unroutable() {
    }

    static String describe(String exchange, String routingKey) {
        if (Topology.REPLICA_EXCHANGE.equals(exchange)) {
            return "no queue is bound for replica '" + routingKey + "' on " + exchange + " (the route named it): the "
                    + "command was not delivered; re-send the same command id once the replica's queue exists";
        }
        return "no queue '" + routingKey + "' on the broker: is the cluster up (./fulcrum up)?";
    }
}
