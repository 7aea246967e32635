package fulcrum.admin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.MergeMessages;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One on-demand merge round, the I/O half of {@code fulcrum-admin merge}:
 * <ol>
 * <li>declare a server-named exclusive queue and bind it to {@code fulcrum.status};</li>
 * <li>publish one persistent {@code MergeNow(requestId)} to {@code fulcrum.merge} (mandatory, with
 * publisher confirms; a nack is retried with the same message id);</li>
 * <li>collect the replicas' {@code ReplicaStatus} announcements that arrive after the request was
 * sent, keep the latest per replica, and ask {@link Convergence#decide} after each one, until it
 * says converged or the timeout passes.</li>
 * </ol>
 * "After the request" is judged by arrival order at our queue: consuming starts before the publish
 * and a flag set just before it separates older announcements (ignored) from newer ones.
 */
public final class MergeRound {
    /** Reads announcements leniently: a newer worker may add fields to Status. */
    private static final ObjectMapper STATUS_READER = FulcrumJson.MAPPER.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private MergeRound() {
    }

    /** What the round saw: the verdict, the latest announcement per expected replica, and noise. */
    public record Outcome(String requestId, Convergence.Verdict verdict, Map<String, MergeMessages.Status> latest,
                          int announcements, int unreadable, Duration elapsed) {
        public boolean converged() {
            return verdict.converged();
        }
    }

    public static Outcome run(Connection connection, List<String> replicaIds, Duration timeout)
            throws ClusterUnavailableException, IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String requestId = UUID.randomUUID().toString();

        BlockingQueue<MergeMessages.Status> inbox = new LinkedBlockingQueue<>();
        AtomicBoolean requested = new AtomicBoolean();
        AtomicInteger unreadable = new AtomicInteger();
        Channel listen = connection.createChannel();
        String queue;
        try {
            queue = listen.queueDeclare("", false, true, true, null).getQueue();
            listen.queueBind(queue, Topology.STATUS_EXCHANGE, "");
        } catch (IOException e) {
            throw unavailable("cannot listen on " + Topology.STATUS_EXCHANGE, e);
        }
        listen.basicConsume(queue, true, new DefaultConsumer(listen) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                if (!requested.get()) {
                    return;
                }
                String type = props.getType();
                if (type != null && !MergeMessages.STATUS.equals(type)) {
                    return;
                }
                try {
                    MergeMessages.Status status = STATUS_READER.readValue(body, MergeMessages.Status.class);
                    inbox.add(status);
                } catch (IOException | RuntimeException e) {
                    unreadable.incrementAndGet();
                }
            }
        });

        publishMergeNow(connection, requestId, requested, deadline);

        Map<String, MergeMessages.Status> latest = new HashMap<>();
        int announcements = 0;
        Convergence.Verdict verdict = Convergence.decide(replicaIds, latest);
        while (!verdict.converged()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            MergeMessages.Status status = inbox.poll(remaining, TimeUnit.NANOSECONDS);
            if (status == null) {
                break;
            }
            do {
                if (replicaIds.contains(status.replica())) {
                    latest.put(status.replica(), status);
                    announcements++;
                }
                status = inbox.poll();
            } while (status != null);
            verdict = Convergence.decide(replicaIds, latest);
        }
        closeQuietly(listen);
        return new Outcome(requestId, verdict, Map.copyOf(latest), announcements, unreadable.get(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    private static void publishMergeNow(Connection connection, String requestId, AtomicBoolean requested, long deadline)
            throws ClusterUnavailableException, IOException, InterruptedException {
        Channel channel = connection.createChannel();
        AtomicReference<String> returned = new AtomicReference<>();
        channel.addReturnListener(r -> returned.set(r.getReplyCode() + " " + r.getReplyText()));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(Amqp.CONTENT_TYPE)
                .deliveryMode(2)
                .messageId(requestId)
                .type(MergeMessages.MERGE_NOW)
                .timestamp(new java.util.Date())
                .build();
        byte[] body = FulcrumJson.write(new MergeMessages.MergeNow(requestId));
        try {
            channel.confirmSelect();
            boolean confirmed = false;
            while (!confirmed) {
                requested.set(true);
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
            throw unavailable("cannot publish MergeNow to " + Topology.MERGE_EXCHANGE, e);
        } finally {
            closeQuietly(channel);
        }
    }

    private static ClusterUnavailableException unavailable(String what, Exception e) {
        String reason = Amqp.rootMessage(e);
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ShutdownSignalException s && s.getReason() instanceof AMQP.Channel.Close close) {
                reason = close.getReplyText();
                break;
            }
        }
        if (reason.contains("NOT_FOUND")) {
            return new ClusterUnavailableException(what + ": " + reason + "; is the cluster's topology declared (./fulcrum up)?", e);
        }
        return new ClusterUnavailableException(what + ": " + reason, e);
    }

    private static void closeQuietly(Channel channel) {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
                // nothing left to do on this channel
            }
        }
    }
}
