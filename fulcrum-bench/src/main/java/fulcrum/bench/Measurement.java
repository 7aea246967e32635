package fulcrum.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a running load records, from the threads that see answers: each answer's latency (in an
 * HdrHistogram, microseconds, 3 significant digits), completions per second, failures, and how
 * many requests are still out (so a run can wait for its last answers).
 */
final class Measurement {
    private final long startNanos;
    private final long endNanos;
    private final Recorder latencyMicros = new Recorder(3);
    private final Timeline timeline;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong outstanding = new AtomicLong();

    Measurement(long startNanos, long durationNanos) {
        this.startNanos = startNanos;
        this.endNanos = startNanos + durationNanos;
        this.timeline = new Timeline(startNanos, (int) Math.ceil(durationNanos / 1e9));
    }

    long startNanos() {
        return startNanos;
    }

    long endNanos() {
        return endNanos;
    }

    void sent() {
        outstanding.incrementAndGet();
    }

    /** An answer at {@code nowNanos} to a request whose latency counts from {@code fromNanos}. */
    void answered(long fromNanos, long nowNanos, boolean ok) {
        latencyMicros.recordValue(Math.max(1, (nowNanos - fromNanos) / 1_000));
        timeline.record(nowNanos);
        if (!ok) {
            failed.incrementAndGet();
        }
        if (outstanding.decrementAndGet() == 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Waits until every request sent was answered, or {@code timeoutMillis} passed; returns those still out. */
    long awaitAnswers(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (this) {
            while (outstanding.get() > 0 && System.currentTimeMillis() < deadline) {
                wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
        }
        return outstanding.get();
    }

    /**
     * The figures of the run: throughput counts the answers within the run's duration; the
     * latencies are those of every request sent in it, the last answers (after its end) included.
     */
    LoadResult result(String name, double targetRate) {
        long[] perSecond = timeline.counts();
        long completed = 0;
        for (long c : perSecond) {
            completed += c;
        }
        Histogram histogram = latencyMicros.getIntervalHistogram();
        return LoadResult.of(name, targetRate, (endNanos - startNanos) / 1e9, completed, failed.get(), histogram, perSecond);
    }
}
