package fulcrum.admin;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.ReplicaStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One on-demand merge round, the I/O half of {@code fulcrum-admin merge}:
 * <ol>
 * <li>listen on {@code fulcrum.status} ({@link StatusListener});</li>
 * <li>publish one persistent {@link MergeNow} to {@code fulcrum.merge} (mandatory, with publisher
 * confirms; a nack is retried with the same message id): every replica publishes what it has not
 * published, asks for what it lacks and announces its status;</li>
 * <li>keep the latest {@link ReplicaStatus} per replica among those that arrive after the request
 * went out, and ask {@link Convergence#decide} after each batch of them, until it says converged
 * (every replica serving, one applied vector) or the timeout passes.</li>
 * </ol>
 */
public final class MergeRound {
    private MergeRound() {
    }

    /** What the round saw: the verdict, the latest announcement per expected replica, and noise. */
    public record Outcome(String requestId, Convergence.Verdict verdict, Map<String, ReplicaStatus> latest,
                          int announcements, int unreadable, Duration elapsed) {
        public boolean converged() {
            return verdict.converged();
        }
    }

    /** A round whose request carries no user_id: for replicas that do not authenticate their peers. */
    public static Outcome run(Connection connection, List<String> replicaIds, Duration timeout)
            throws ClusterUnavailableException, IOException, InterruptedException {
        return run(connection, null, replicaIds, timeout);
    }

    /**
     * @param user the connection's broker user, sent as the request's user_id (replicas that authenticate
     *             their peers take a merge request only from an admin or replica user); null for none
     */
    public static Outcome run(Connection connection, String user, List<String> replicaIds, Duration timeout)
            throws ClusterUnavailableException, IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String requestId = UUID.randomUUID().toString();
        Map<String, ReplicaStatus> latest = new HashMap<>();
        int announcements = 0;
        Convergence.Verdict verdict;
        try (StatusListener listener = StatusListener.open(connection, false)) {
            publishMergeNow(connection, user, requestId, listener, deadline);
            verdict = Convergence.decide(replicaIds, latest);
            while (!verdict.converged()) {
                ReplicaStatus status = listener.poll(deadline - System.nanoTime());
                if (status == null) {
                    break; // the deadline passed
                }
                do {
                    if (replicaIds.contains(status.replica())) {
                        latest.put(status.replica(), status);
                        announcements++;
                    }
                    status = listener.poll(0);
                } while (status != null);
                verdict = Convergence.decide(replicaIds, latest);
            }
            return new Outcome(requestId, verdict, Map.copyOf(latest), announcements, listener.unreadable(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static void publishMergeNow(Connection connection, String user, String requestId, StatusListener listener, long deadline)
            throws ClusterUnavailableException, IOException, InterruptedException {
        Channel channel = connection.createChannel();
        AtomicReference<String> returned = new AtomicReference<>();
        channel.addReturnListener(r -> returned.set(r.getReplyCode() + " " + r.getReplyText()));
        MergeNow request = new MergeNow(requestId);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(Amqp.CONTENT_TYPE)
                .deliveryMode(2)
                .messageId(requestId)
                .type(request.type())
                .appId("fulcrum-admin")
                .userId(user)
                .timestamp(new java.util.Date())
                .build();
        byte[] body = PeerCodec.encode(request);
        try {
            channel.confirmSelect();
            boolean confirmed = false;
            while (!confirmed) {
                listener.startKeeping();
                channel.basicPublish(Topology.MERGE_EXCHANGE, "", true, props, body);
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                try {
                    confirmed = channel.waitForConfirms(Math.max(1, remainingMillis));
                } catch (TimeoutException e) {
                    throw new ClusterUnavailableException("the broker did not confirm the MergeNow request in time");
                }
                if (returned.get() != null) {
                    throw new ClusterUnavailableException("MergeNow was unroutable (" + returned.get() + "): no queue is bound to "
                            + Topology.MERGE_EXCHANGE + "; is the cluster's topology declared (./fulcrum up)?");
                }
                if (!confirmed && deadline - System.nanoTime() <= 0) {
                    throw new ClusterUnavailableException("the broker refused (nacked) the MergeNow request");
                }
            }
        } catch (IOException | ShutdownSignalException e) {
            throw StatusListener.unavailable("cannot publish MergeNow to " + Topology.MERGE_EXCHANGE, e);
        } finally {
            StatusListener.closeQuietly(channel);
        }
    }
}
