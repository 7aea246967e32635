package fulcrum.common.topology;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The broker objects of the README's wire format (its Topology section), by name. Every component declares them idempotently at start,
 * with exactly the arguments of {@code rabbitmq-definitions.json}; a test checks the two agree.
 */
public final class Topology {
    public static final String ROUTER_COMMANDS = "mos-eisley.commands";
    public static final String ROUTER_QUERIES = "mos-eisley.queries";
    /**
     * Route requests of the direct write path: transient messages, answered at once by Mos Eisley.
     * A classic queue (nothing here needs to survive a broker restart, nor be replicated); durable
     * only so that it exists as long as the definitions say.
     */
    public static final String ROUTER_ROUTES = "mos-eisley.routes";
    /**
     * How long a route request waits for Mos Eisley (ms): its client has given up by then, so a
     * router that comes back does not answer a backlog nobody waits for.
     */
    public static final int ROUTE_REQUEST_TTL_MILLIS = 30_000;
    public static final String REPLICA_EXCHANGE = "fulcrum.commands";
    public static final String MERGE_EXCHANGE = "fulcrum.merge";
    public static final String STATUS_EXCHANGE = "fulcrum.status";
    public static final String DEAD_LETTER_EXCHANGE = "fulcrum.dlx";
    public static final String DEAD_LETTER_QUEUE = "fulcrum.dead-letters";

    /**
     * Deliveries of one message before the broker dead-letters it. High enough that a consumer
     * killed repeatedly under load does not dead-letter valid work, low enough that a message which
     * crashes its consumer cannot block a queue for long.
     */
    public static final int DELIVERY_LIMIT = 20;

    public static final int DEFAULT_REPLICA_COUNT = 3;

    private Topology() {
    }

    public static String replicaCommandQueue(String replicaId) {
        return "fulcrum." + replicaId + ".commands";
    }

    public static String replicaMergeQueue(String replicaId) {
        return "fulcrum." + replicaId + ".merge";
    }

    public static List<String> replicaIds(int count) {
        if (count < 1 || count > 64) {
            throw new IllegalArgumentException("replica count must be 1..64, got " + count);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add("fulcrum-" + i);
        }
        return ids;
    }

    /** The arguments of every work queue: quorum, bounded redelivery, dead letters to fulcrum.dlx. */
    public static Map<String, Object> workQueueArguments() {
        return Map.of(
                "x-queue-type", "quorum",
                "x-delivery-limit", DELIVERY_LIMIT,
                "x-dead-letter-exchange", DEAD_LETTER_EXCHANGE);
    }

    /** The arguments of the route request queue: classic, requests expire unanswered. */
    public static Map<String, Object> routeQueueArguments() {
        return Map.of("x-queue-type", "classic", "x-message-ttl", ROUTE_REQUEST_TTL_MILLIS);
    }

    public static Map<String, Object> deadLetterQueueArguments() {
        return Map.of("x-queue-type", "quorum");
    }

    /**
     * Declares everything, or, when the connection's user may not (its definitions user has no
     * configure permission on durable objects: the topology is the broker's, loaded from
     * {@code rabbitmq-definitions.json}), checks passively that everything exists.
     *
     * @return true when declared, false when checked
     * @throws IOException naming what is missing, when the check fails
     */
    public static boolean ensure(Connection connection, List<String> replicaIds) throws IOException {
        Channel declaring = connection.createChannel();
        try {
            declare(declaring, replicaIds);
            return true;
        } catch (IOException e) {
            if (!accessRefused(e)) {
                throw e;
            }
        } finally {
            closeQuietly(declaring);
        }
        String checking = null;
        Channel passive = connection.createChannel();
        try {
            for (String exchange : List.of(DEAD_LETTER_EXCHANGE, REPLICA_EXCHANGE, MERGE_EXCHANGE, STATUS_EXCHANGE)) {
                checking = "exchange " + exchange;
                passive.exchangeDeclarePassive(exchange);
            }
            List<String> queues = new ArrayList<>(List.of(DEAD_LETTER_QUEUE, ROUTER_COMMANDS, ROUTER_QUERIES, ROUTER_ROUTES));
            for (String id : replicaIds) {
                queues.add(replicaCommandQueue(id));
                queues.add(replicaMergeQueue(id));
            }
            for (String queue : queues) {
                checking = "queue " + queue;
                passive.queueDeclarePassive(queue);
            }
            return false;
        } catch (IOException e) {
            throw new IOException("the broker has no " + checking + ", and this user may not declare it:"
                    + " load rabbitmq-definitions.json into the broker (see the README's Security section)");
        } finally {
            closeQuietly(passive);
        }
    }

    private static boolean accessRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ShutdownSignalException s && s.getReason() instanceof AMQP.Channel.Close close
                    && close.getReplyCode() == AMQP.ACCESS_REFUSED) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            // closed by the broker already: nothing to release
        }
    }

    /** Declares everything; safe to call from every component at every start. */
    public static void declare(Channel channel, List<String> replicaIds) throws IOException {
        channel.exchangeDeclare(DEAD_LETTER_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        channel.queueDeclare(DEAD_LETTER_QUEUE, true, false, false, deadLetterQueueArguments());
        channel.queueBind(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, "");

        channel.queueDeclare(ROUTER_COMMANDS, true, false, false, workQueueArguments());
        channel.queueDeclare(ROUTER_QUERIES, true, false, false, workQueueArguments());
        channel.queueDeclare(ROUTER_ROUTES, true, false, false, routeQueueArguments());

        channel.exchangeDeclare(REPLICA_EXCHANGE, BuiltinExchangeType.DIRECT, true);
        channel.exchangeDeclare(MERGE_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        channel.exchangeDeclare(STATUS_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        for (String id : replicaIds) {
            channel.queueDeclare(replicaCommandQueue(id), true, false, false, workQueueArguments());
            channel.queueBind(replicaCommandQueue(id), REPLICA_EXCHANGE, id);
            channel.queueDeclare(replicaMergeQueue(id), true, false, false, workQueueArguments());
            channel.queueBind(replicaMergeQueue(id), MERGE_EXCHANGE, "");
        }
    }
}
