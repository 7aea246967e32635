package fulcrum.router;

import com.rabbitmq.client.AMQP;
import fulcrum.core.domain.Command;
import java.util.List;

/**
 * A command the router forwarded and whose reply it waits for: the client's properties (where to
 * relay the reply), the body, and the replicas still to try if the one asked answers STALE.
 *
 * @param order   the routing order computed when the command arrived
 * @param attempt index in {@code order} of the replica asked last
 */
record InFlight(AMQP.BasicProperties client, byte[] body, Command command, List<String> order, int attempt) {
    String replica() {
        return order.get(attempt);
    }

    boolean canRetry() {
        return attempt + 1 < order.size();
    }

    InFlight next() {
        return new InFlight(client, body, command, order, attempt + 1);
    }
}
