package fulcrum.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A constant rate, whatever the answers: request {@code i} is due at {@link SendSchedule}'s time
 * and its latency counts from then, so a request the sender could only send late (because the
 * system under test held it up) is charged for the wait. Requests go to the clients in turn.
 */
final class OpenLoopLoad {
    private static final long DRAIN_MILLIS = 120_000;
    private static final long SPIN_BELOW_NANOS = 50_000;

    private OpenLoopLoad() {
    }

    static LoadResult run(String name, List<Endpoint> clients, double ratePerSecond, long durationNanos)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        SendSchedule schedule = new SendSchedule(start, ratePerSecond);
        Measurement m = new Measurement(start, durationNanos);
        long requests = schedule.requestsWithin(durationNanos);
        for (long i = 0; i < requests; i++) {
            long due = schedule.intendedNanos(i);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > SPIN_BELOW_NANOS) {
                    LockSupport.parkNanos(wait - SPIN_BELOW_NANOS);
                } else {
                    Thread.onSpinWait();
                }
            }
            m.sent();
            clients.get((int) (i % clients.size())).send(i, failure -> m.answered(due, System.nanoTime(), failure));
        }
        long lost = m.awaitAnswers(DRAIN_MILLIS);
        if (lost > 0) {
            System.out.printf("  %s: %d requests still unanswered %d s after the run%n", name, lost, DRAIN_MILLIS / 1000);
        }
        return m.result(name, ratePerSecond);
    }
}
