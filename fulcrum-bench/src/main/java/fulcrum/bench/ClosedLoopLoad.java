package fulcrum.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * As fast as it goes: each client keeps {@code inFlight} requests out, sending the next as soon as
 * one is answered, for the run's duration. This finds the maximum rate; its latencies are those of
 * a saturated system (queueing included), which is why the load curve uses {@link OpenLoopLoad}.
 */
final class ClosedLoopLoad {
    private static final long DRAIN_MILLIS = 120_000;

    private ClosedLoopLoad() {
    }

    static LoadResult run(String name, List<Endpoint> clients, int inFlight, long durationNanos)
            throws IOException, InterruptedException {
        Measurement m = new Measurement(System.nanoTime(), durationNanos);
        AtomicLong sequence = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (Endpoint client : clients) {
            Thread t = new Thread(() -> {
                try {
                    drive(client, inFlight, m, sequence);
                } catch (IOException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-" + name);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IOException(name + ": a client failed: " + failure.get().getMessage(), failure.get());
        }
        long lost = m.awaitAnswers(DRAIN_MILLIS);
        if (lost > 0) {
            System.out.printf("  %s: %d requests still unanswered %d s after the run%n", name, lost, DRAIN_MILLIS / 1000);
        }
        return m.result(name, 0);
    }

    private static void drive(Endpoint client, int inFlight, Measurement m, AtomicLong sequence)
            throws IOException, InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        while (System.nanoTime() < m.endNanos()) {
            if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            long sent = System.nanoTime();
            m.sent();
            client.send(sequence.getAndIncrement(), failure -> {
                m.answered(sent, System.nanoTime(), failure);
                window.release();
            });
        }
    }
}
