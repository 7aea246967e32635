package fulcrum.bench;

/**
 * When each request of an open-loop load is meant to leave: request {@code i} at
 * {@code start + i / rate}, whatever happened to the requests before it. Latency is measured from
 * this intended time, not from the moment the sender got round to it, so a stall of the system
 * under test shows in the latencies of every request it delayed (no coordinated omission).
 */
final class SendSchedule {
    private final long startNanos;
    private final double nanosPerRequest;

    SendSchedule(long startNanos, double requestsPerSecond) {
        if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("a rate must be a positive number of requests per second, got " + requestsPerSecond);
        }
        this.startNanos = startNanos;
        this.nanosPerRequest = 1e9 / requestsPerSecond;
    }

    /** The intended send time of request {@code index} (0-based), on the {@link System#nanoTime()} scale. */
    long intendedNanos(long index) {
        return startNanos + Math.round(index * nanosPerRequest);
    }

    /** How many requests a run of {@code durationNanos} sends: those intended strictly before its end. */
    long requestsWithin(long durationNanos) {
        return (long) Math.ceil(durationNanos / nanosPerRequest);
    }
}
