package fulcrum.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a running load records, from the threads that see answers: each answer's latency (in an
 * HdrHistogram, microseconds, 3 significant digits), successes per second, failures (counted by
 * their kind, the first one kept whole), and how many requests are still out (so a run can wait
 * for its last answers).
 */
final class Measurement {
    private final long startNanos;
    private final long endNanos;
    private final Recorder latencyMicros = new Recorder(3);
    private final Timeline timeline;
    /** Kinds of failure counted apart; any further kind is counted under {@link #OTHER_FAILURES}. */
    static final int MAX_FAILURE_KINDS = 16;
    static final String OTHER_FAILURES = "other";

    private final AtomicLong failed = new AtomicLong();
    private final Map<String, LongAdder> failuresByKind = new ConcurrentHashMap<>();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
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

    /**
     * An answer at {@code nowNanos} to a request whose latency counts from {@code fromNanos};
     * {@code failure} is null for a success (see {@link Endpoint.Answer}).
     */
    void answered(long fromNanos, long nowNanos, String failure) {
        latencyMicros.recordValue(Math.max(1, (nowNanos - fromNanos) / 1_000));
        if (failure == null) {
            timeline.record(nowNanos); // a failed write is no throughput
        } else {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, failure);
            String kind = kindOf(failure);
            if (!failuresByKind.containsKey(kind) && failuresByKind.size() >= MAX_FAILURE_KINDS) {
                kind = OTHER_FAILURES;
            }
            failuresByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
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

    /** A failure's kind: what comes before its first colon (an error code, an exception's class). */
    static String kindOf(String failure) {
        int colon = failure.indexOf(':');
        return (colon > 0 ? failure.substring(0, colon) : failure).trim();
    }

    /**
     * The figures of the run: throughput counts the successful answers within the run's duration;
     * the latencies are those of every request sent in it, failed ones and the last answers (after
     * its end) included.
     */
    LoadResult result(String name, double targetRate) {
        long[] perSecond = timeline.counts();
        long completed = 0;
        for (long c : perSecond) {
            completed += c;
        }
        Histogram histogram = latencyMicros.getIntervalHistogram();
        Map<String, Long> failures = new TreeMap<>();
        failuresByKind.forEach((kind, count) -> failures.put(kind, count.sum()));
        return LoadResult.of(name, targetRate, (endNanos - startNanos) / 1e9, completed, failed.get(), failures,
                firstFailure.get(), histogram, perSecond);
    }
}
