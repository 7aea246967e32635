package fulcrum.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/** Completions per second of a run (thread-safe): the throughput-over-time chart's data. */
final class Timeline {
    private final long startNanos;
    private final AtomicLongArray perSecond;

    Timeline(long startNanos, int seconds) {
        this.startNanos = startNanos;
        this.perSecond = new AtomicLongArray(Math.max(1, seconds));
    }

    /** Counts one completion at {@code nanos}; those after the last second (the drain) are not counted. */
    void record(long nanos) {
        if (nanos < startNanos) {
            return; // division would round a fraction of a second before the start to second 0
        }
        long second = (nanos - startNanos) / 1_000_000_000L;
        if (second < perSecond.length()) {
            perSecond.incrementAndGet((int) second);
        }
    }

    long[] counts() {
        long[] out = new long[perSecond.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = perSecond.get(i);
        }
        return out;
    }
}
