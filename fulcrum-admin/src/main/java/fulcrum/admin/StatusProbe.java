package fulcrum.admin;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads, without changing anything, the depth and consumers of every queue of the topology, and
 * from the consumer counts which components appear to be running. One passive declare per queue
 * on a fresh channel, so a missing queue (the broker closes the channel with 404) is reported and
 * does not stop the others.
 */
public final class StatusProbe {
    private StatusProbe() {
    }

    /** One queue: {@code exists == false} when the broker does not have it; {@code error} for other failures. */
    public record QueueState(String name, boolean exists, long ready, long consumers, String error) {
    }

    /** A router or replica, judged by the consumers on the queues it consumes from. */
    public record ComponentState(String name, String role, List<QueueState> queues) {
        public String state() {
            if (queues.stream().anyMatch(q -> !q.exists())) {
                return "queue missing";
            }
            long consuming = queues.stream().filter(q -> q.consumers() > 0).count();
            if (consuming == queues.size()) {
                return "consuming";
            }
            return consuming == 0 ? "not consuming" : "partly consuming";
        }

        public boolean consuming() {
            return "consuming".equals(state());
        }
    }

    public record Report(String broker, int replicas, List<QueueState> queues, List<ComponentState> components) {
    }

    /** The queues of {@link Topology#declare} for these replicas: router, replicas, dead letters. */
    public static List<String> queueNames(List<String> replicaIds) {
        List<String> names = new ArrayList<>(List.of(Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES));
        for (String id : replicaIds) {
            names.add(Topology.replicaCommandQueue(id));
            names.add(Topology.replicaMergeQueue(id));
        }
        names.add(Topology.DEAD_LETTER_QUEUE);
        return names;
    }

    public static Report probe(Connection connection, String brokerUri, List<String> replicaIds) {
        List<QueueState> queues = new ArrayList<>();
        for (String name : queueNames(replicaIds)) {
            queues.add(probeQueue(connection, name));
        }
        Map<String, QueueState> byName = queues.stream().collect(Collectors.toMap(QueueState::name, Function.identity()));
        List<ComponentState> components = new ArrayList<>();
        components.add(new ComponentState("mos-eisley", "router",
                List.of(byName.get(Topology.ROUTER_COMMANDS), byName.get(Topology.ROUTER_QUERIES))));
        for (String id : replicaIds) {
            components.add(new ComponentState(id, "replica", List.of(byName.get(Topology.replicaCommandQueue(id)),
                    byName.get(Topology.replicaMergeQueue(id)))));
        }
        return new Report(Amqp.redact(brokerUri), replicaIds.size(), queues, components);
    }

    static QueueState probeQueue(Connection connection, String name) {
        Channel channel = null;
        try {
            channel = connection.createChannel();
            AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(name);
            return new QueueState(name, true, ok.getMessageCount(), ok.getConsumerCount(), null);
        } catch (IOException e) {
            ShutdownSignalException signal = shutdownSignal(e);
            if (signal != null && signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == 404) {
                return new QueueState(name, false, 0, 0, null);
            }
            return new QueueState(name, false, 0, 0, Amqp.rootMessage(e));
        } finally {
            closeQuietly(channel);
        }
    }

    private static ShutdownSignalException shutdownSignal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ShutdownSignalException s) {
                return s;
            }
        }
        return null;
    }

    private static void closeQuietly(Channel channel) {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
                // the report is complete; a channel that will not close cleanly changes nothing
            }
        }
    }
}
