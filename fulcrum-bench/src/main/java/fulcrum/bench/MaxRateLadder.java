package fulcrum.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One load driven as fast as it goes at each {@code --in-flight} level, the lowest first; its max
 * rate is the best rung's. A closed loop's rate is its in-flight count over its latency: with too
 * few requests out, a system with a long path waits on its own latency with cores to spare (the
 * write phase once used 1.65 of 2 cores at 2 × 64 writes in flight), and the ratio of two max rates
 * then compares latencies, not capacities. Each load is measured at every level and keeps its best.
 */
record MaxRateLadder(List<Rung> rungs) {

    /**
     * One level: the load's result, each process's CPU during it, and (writes only) how the writes
     * travelled (messages to replicas, writes per message); empty maps where not measured.
     */
    record Rung(int inFlightPerClient, LoadResult load, Map<String, Map<String, Double>> cpu, Map<String, Object> writeBatching) {
    }

    MaxRateLadder {
        if (rungs.isEmpty()) {
            throw new IllegalArgumentException("a ladder needs at least one rung");
        }
        rungs = List.copyOf(rungs);
    }

    /** The rung with the highest rate. */
    Rung best() {
        return rungs.stream().max(Comparator.comparingDouble(r -> r.load().throughput())).orElseThrow();
    }

    /** What one rung measures besides the load: a reading taken before it and turned into its figures after it. */
    interface Probe<T> {
        T before();

        Map<String, ?> since(T before);
    }

    /**
     * Runs {@code name} at each level in turn.
     *
     * @param cpu      reads every process's CPU seconds (turned into each rung's CPU figures)
     * @param batching how the rung's writes travelled, or null for loads that are not writes
     */
    static MaxRateLadder climb(String name, Clients load, List<Integer> inFlightLevels, Duration duration,
                               Supplier<Map<String, double[]>> cpu, Probe<?> batching) throws IOException, InterruptedException {
        List<Rung> rungs = new ArrayList<>();
        for (int inFlight : inFlightLevels) {
            String rungName = inFlightLevels.size() == 1 ? name : name + " (" + inFlight + " in flight)";
            rungs.add(rung(rungName, load, inFlight, duration, cpu, batching));
        }
        MaxRateLadder ladder = new MaxRateLadder(rungs);
        if (rungs.size() > 1) {
            System.out.printf("  (%s: the best rate at %d in flight per client)%n", name, ladder.best().inFlightPerClient());
        }
        return ladder;
    }

    private static <T> Rung rung(String name, Clients load, int inFlight, Duration duration, Supplier<Map<String, double[]>> cpu,
                                 Probe<T> batching) throws IOException, InterruptedException {
        Map<String, double[]> cpuBefore = cpu.get();
        T batchingBefore = batching == null ? null : batching.before();
        LoadResult result = RunBench.report(ClosedLoopLoad.run(name, load.list(), inFlight, duration.toNanos()));
        Map<String, Map<String, Double>> used = cpuUsed(cpuBefore, cpu.get(), result.seconds());
        Map<String, Object> travelled = batching == null ? Map.of() : new LinkedHashMap<>(batching.since(batchingBefore));
        return new Rung(inFlight, result, used, travelled);
    }

    /** Per process, user and system CPU seconds used between the two readings, and their share of one core. */
    static Map<String, Map<String, Double>> cpuUsed(Map<String, double[]> before, Map<String, double[]> after, double seconds) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        before.forEach((name, b) -> {
            double[] a = after.get(name);
            double user = a[0] - b[0];
            double system = a[1] - b[1];
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("user_seconds", user);
            m.put("system_seconds", system);
            m.put("cores_used", (user + system) / seconds);
            out.put(name, m);
        });
        return out;
    }

    /** The ladder as the JSON report lists it: per level, the rate and latencies. */
    List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Rung r : rungs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("in_flight_per_client", r.inFlightPerClient());
            m.put("throughput", r.load().throughput());
            m.put("latency", r.load().latency());
            m.put("failed", r.load().failed());
            if (!r.writeBatching().isEmpty()) {
                m.put("write_batching", r.writeBatching());
            }
            if (!r.cpu().isEmpty()) {
                m.put("cpu_seconds", r.cpu());
            }
            out.add(m);
        }
        return out;
    }
}
