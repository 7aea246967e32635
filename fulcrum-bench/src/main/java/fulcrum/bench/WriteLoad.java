package fulcrum.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.core.domain.Command;
import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * A client that keeps {@code inFlight} durable writes going through the whole pipeline, as any AMQP
 * client following the README's wire format would: persistent {@code UpdateNumber} commands to
 * {@code mos-eisley.commands} with publisher confirms, replies on direct reply-to. A write counts
 * when its reply arrives (published, confirmed, routed, committed at a replica, replicated, answered).
 */
final class WriteLoad implements AutoCloseable {
    private static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";

    private final Channel channel;
    private final Semaphore window;
    private final Map<String, Long> sentAtNanos = new ConcurrentHashMap<>();
    private final Recorder latencyMicros = new Recorder(3);
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final SplittableRandom random = new SplittableRandom(7);
    private long sequence;

    WriteLoad(Connection connection, int inFlight) throws IOException {
        this.channel = connection.createChannel();
        this.window = new Semaphore(inFlight);
        channel.confirmSelect();
        channel.basicConsume(DIRECT_REPLY_TO, true, (tag, delivery) -> {
            Long sent = sentAtNanos.remove(delivery.getProperties().getCorrelationId());
            if (sent != null) {
                latencyMicros.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
                if (new String(delivery.getBody()).contains("\"ok\":true")) {
                    answered.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                window.release();
            }
        }, tag -> { });
    }

    /** Writes to random cities {@code c0..c<cities-1>} of {@code planet} for {@code seconds}; returns the phase's figures. */
    Phase run(String planet, int cities, double seconds) throws IOException, InterruptedException {
        long answeredBefore = answered.get();
        long failedBefore = failed.get();
        latencyMicros.getIntervalHistogram(); // reset
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            String id = "bench-" + planet + "-" + (++sequence) + "-" + start;
            Command command = Command.updateNumber(planet, "c" + random.nextInt(cities), random.nextInt(1_000_000));
            AMQP.BasicProperties props = Amqp.commandProperties(id, command.kind(), DIRECT_REPLY_TO);
            sentAtNanos.put(id, System.nanoTime());
            channel.basicPublish("", Topology.ROUTER_COMMANDS, false, props, CommandCodec.encode(command));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        var histogram = latencyMicros.getIntervalHistogram();
        return new Phase(planet, cities, elapsed, answered.get() - answeredBefore, failed.get() - failedBefore,
                (answered.get() - answeredBefore) / elapsed, histogram.getValueAtPercentile(50) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0);
    }

    /** Waits for the writes still in flight (so the next phase starts clean). */
    void drain(int inFlight) throws InterruptedException {
        window.tryAcquire(inFlight, 60, TimeUnit.SECONDS);
        window.release(inFlight);
    }

    /** What one phase of writes measured. */
    record Phase(String planet, int cities, double seconds, long writes, long failures, double writesPerSecond,
                 double p50Millis, double p99Millis) {
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            channel.abort();
        }
    }
}
