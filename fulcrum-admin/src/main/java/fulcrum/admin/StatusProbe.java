package fulcrum.admin;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.store.Phase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads, without changing anything, the depth and consumers of every queue of the topology (one
 * passive declare per queue on a fresh channel, so a missing queue, which the broker answers by
 * closing the channel with 404, is reported and does not stop the others), the unacknowledged
 * counts from the management API when it answers, and judges from the consumers and the replicas'
 * announced phases which components appear to be running.
 */
public final class StatusProbe {
    /** The router's component name (the launcher's and compose's). */
    public static final String ROUTER = "mos-eisley";

    private StatusProbe() {
    }

    /**
     * One queue: {@code exists == false} when the broker does not have it; {@code error} for other
     * failures; {@code unacked} null when the management API did not tell.
     */
    public record QueueState(String name, boolean exists, long ready, Long unacked, long consumers, String error) {
    }

    /**
     * A router or replica, judged by the consumers on the queues it consumes from and, for a
     * replica, by its latest announced phase (null when it did not announce): a joining replica
     * consumes its merge queue but not its command queue (commands wait there until it serves).
     */
    public record ComponentState(String name, String role, List<QueueState> queues, Phase phase) {
        public String state() {
            if (queues.stream().anyMatch(q -> !q.exists())) {
                return "queue missing";
            }
            if (phase != null && phase != Phase.SERVING) {
                return phase.name().toLowerCase() + " (commands wait)";
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

    /**
     * @param replicaStatus the latest announcement per replica heard while listening (absent: none)
     * @param listened      whether {@code fulcrum.status} could be listened on at all
     * @param management    the management API's answer (unacked counts), or null when not asked
     */
    public record Report(String broker, int replicas, List<String> replicaIds, Map<String, ReplicaStatus> replicaStatus,
                         boolean listened, int unreadableAnnouncements, List<QueueState> queues,
                         List<ComponentState> components, ManagementApi.Answer management) {
    }

    /** The queues of {@link Topology#declare} for these replicas: router (routes, legacy writes, queries), replicas, dead letters. */
    public static List<String> queueNames(List<String> replicaIds) {
        List<String> names = new ArrayList<>(List.of(Topology.ROUTER_ROUTES, Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES));
        for (String id : replicaIds) {
            names.add(Topology.replicaCommandQueue(id));
            names.add(Topology.replicaMergeQueue(id));
        }
        names.add(Topology.DEAD_LETTER_QUEUE);
        return names;
    }

    /** The queues, with the unacked counts of {@code management} (may be null or failed). */
    public static List<QueueState> probeQueues(Connection connection, List<String> replicaIds, ManagementApi.Answer management) {
        List<QueueState> queues = new ArrayList<>();
        for (String name : queueNames(replicaIds)) {
            QueueState q = probeQueue(connection, name);
            Long unacked = management != null && management.ok() && q.exists() ? management.unacked().get(name) : null;
            queues.add(new QueueState(q.name(), q.exists(), q.ready(), unacked, q.consumers(), q.error()));
        }
        return queues;
    }

    public static List<ComponentState> components(List<String> replicaIds, List<QueueState> queues,
                                                  Map<String, ReplicaStatus> replicaStatus) {
        Map<String, QueueState> byName = queues.stream().collect(Collectors.toMap(QueueState::name, Function.identity()));
        List<ComponentState> components = new ArrayList<>();
        components.add(new ComponentState(ROUTER, "router",
                List.of(byName.get(Topology.ROUTER_ROUTES), byName.get(Topology.ROUTER_COMMANDS),
                        byName.get(Topology.ROUTER_QUERIES)), null));
        for (String id : replicaIds) {
            ReplicaStatus s = replicaStatus.get(id);
            components.add(new ComponentState(id, "replica", List.of(byName.get(Topology.replicaCommandQueue(id)),
                    byName.get(Topology.replicaMergeQueue(id))), s == null ? null : s.phase()));
        }
        return components;
    }

    static QueueState probeQueue(Connection connection, String name) {
        Channel channel = null;
        try {
            channel = connection.createChannel();
            AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(name);
            return new QueueState(name, true, ok.getMessageCount(), null, ok.getConsumerCount(), null);
        } catch (IOException e) {
            ShutdownSignalException signal = shutdownSignal(e);
            if (signal != null && signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == 404) {
                return new QueueState(name, false, 0, null, 0, null);
            }
            return new QueueState(name, false, 0, null, 0, Amqp.rootMessage(e));
        } finally {
            StatusListener.closeQuietly(channel);
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
}
