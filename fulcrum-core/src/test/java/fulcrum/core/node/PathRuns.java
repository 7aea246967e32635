package fulcrum.core.node;

import fulcrum.core.session.SessionChecker;
import fulcrum.core.session.SessionChecker.Guarantee;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Runs many schedules of a {@link PathSimulation}, sums what they did, and prints it with the rate. */
final class PathRuns {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private PathRuns() {
    }

    /** Sums the tallies and violations of many schedules, and prints them. */
    static final class Totals {
        final TreeMap<String, Long> tallies = new TreeMap<>();
        final EnumMap<Guarantee, Long> violations = new EnumMap<>(Guarantee.class);
        long acceptedViolations;
        long refusedWrites;
        long events;

        void add(PathSimulation.Result r) {
            r.tallies().forEach((k, v) -> tallies.merge(k, v, Long::sum));
            for (SessionChecker.Violation v : r.violations()) {
                violations.merge(v.guarantee(), 1L, Long::sum);
                if (!r.refusedByClient().contains(v.index()) && !r.refusedByClient().contains(v.earlier())) {
                    acceptedViolations++;
                }
            }
            events += r.history().size();
            refusedWrites += r.refusedByClient().size();
        }

        long tally(String key) {
            return tallies.getOrDefault(key, 0L);
        }
    }

    /** Runs seeds {@code baseSeed} on, applying {@code check} to each result. */
    static Totals runMany(long baseSeed, String name, int schedules, PathSimulation.Config config,
                          Consumer<PathSimulation.Result> check) {
        long started = System.nanoTime();
        long cpuStarted = CPU.getCurrentThreadCpuTime();
        Totals totals = new Totals();
        for (int i = 0; i < schedules; i++) {
            PathSimulation.Result r = PathSimulation.run(baseSeed + i, config);
            check.accept(r);
            totals.add(r);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long cpuMillis = (CPU.getCurrentThreadCpuTime() - cpuStarted) / 1_000_000;
        Map<Guarantee, Long> v = totals.violations;
        System.out.printf("path simulation (%s): %d schedules in %d ms, %d ms of CPU (%d per CPU second), %d session events,"
                        + " violations %s: %s%n", name, schedules, millis, cpuMillis, schedules * 1000L / Math.max(1, cpuMillis),
                totals.events, v, totals.tallies);
        return totals;
    }

    static Totals runMany(long baseSeed, String name, int schedules, PathSimulation.Config config) {
        return runMany(baseSeed, name, schedules, config, r -> {
        });
    }
}
