package fulcrum.admin;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hears the replicas' announcements on {@code fulcrum.status}: a server-named, exclusive,
 * auto-delete queue bound to the fanout, consumed with auto-ack. Each body is decoded with
 * {@link PeerCodec} (the replicas' own codec, strict and size-bounded); what is not a
 * {@link ReplicaStatus} is counted as unreadable and dropped.
 *
 * <p>Announcements that arrive before {@link #startKeeping()} are dropped, so a caller that starts
 * keeping just before it publishes a request sees only what was announced after the request went
 * out (arrival order at this queue).
 */
final class StatusListener implements AutoCloseable {
    private final Channel channel;
    private final BlockingQueue<ReplicaStatus> inbox = new LinkedBlockingQueue<>();
    private final AtomicBoolean keeping = new AtomicBoolean();
    private final AtomicInteger unreadable = new AtomicInteger();

    private StatusListener(Channel channel) {
        this.channel = channel;
    }

    /**
     * @param keepFromStart whether to keep announcements from the start (else from {@link #startKeeping()})
     * @throws ClusterUnavailableException when {@code fulcrum.status} does not exist
     */
    static StatusListener open(Connection connection, boolean keepFromStart) throws ClusterUnavailableException, IOException {
        Channel channel = connection.createChannel();
        StatusListener listener = new StatusListener(channel);
        listener.keeping.set(keepFromStart);
        String queue;
        try {
            queue = channel.queueDeclare("", false, true, true, null).getQueue();
            channel.queueBind(queue, Topology.STATUS_EXCHANGE, "");
        } catch (IOException e) {
            throw unavailable("cannot listen on " + Topology.STATUS_EXCHANGE, e);
        }
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                listener.take(props.getType(), body);
            }
        });
        return listener;
    }

    private void take(String type, byte[] body) {
        if (!keeping.get()) {
            return;
        }
        try {
            PeerMessage m = PeerCodec.decode(type, body, PeerCodec.MAX_STATUS_BODY_BYTES);
            if (m instanceof ReplicaStatus status) {
                inbox.add(status);
            } else {
                unreadable.incrementAndGet();
            }
        } catch (PeerCodec.UndecodableException e) {
            unreadable.incrementAndGet();
        }
    }

    /** From now on, announcements are kept. */
    void startKeeping() {
        keeping.set(true);
    }

    /** The next kept announcement, waiting at most {@code nanos}; null when none came. */
    ReplicaStatus poll(long nanos) throws InterruptedException {
        return nanos <= 0 ? inbox.poll() : inbox.poll(nanos, TimeUnit.NANOSECONDS);
    }

    /** Messages on the fanout that were not a readable announcement. */
    int unreadable() {
        return unreadable.get();
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    static ClusterUnavailableException unavailable(String what, Exception e) {
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

    static void closeQuietly(Channel channel) {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
                // nothing left to do on this channel
            }
        }
    }
}
