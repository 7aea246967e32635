package fulcrum.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@code bench run} measured, before it is written out. {@code raw}, {@code writes}
 * and {@code queries} are the closed-loop loads at each in-flight level, each one's max the best
 * level's; {@code restart} and {@code merge} are {@link RestartMeasure}'s and {@link MergeMeasure}'s
 * figures (empty when the run skipped them); {@code warmups} how long each load was warmed up and
 * how busy the JIT compilers still were; {@code halfRateRepeats} the 50 % step measured again (both
 * sides), for {@link #p99LatencyRatio()}; {@code planetSteps} the planet-size curve's steps in the
 * order they ran (each size twice: up the sizes, then down again).
 */
record RunResults(Map<String, Object> machine, Map<String, Object> parameters, MaxRateLadder raw, MaxRateLadder writes,
                  MaxRateLadder queries, List<LoadCurvePoint> loadCurve, List<PlanetStep> planetSteps, Map<String, Object> restart,
                  Map<String, Object> merge, Map<String, Object> warmups, List<LoadCurvePoint> halfRateRepeats) {

    /** The three closed-loop loads by the names the report gives them, in the report's order. */
    Map<String, MaxRateLadder> ladders() {
        Map<String, MaxRateLadder> m = new LinkedHashMap<>();
        m.put("raw", raw);
        m.put("fulcrum_writes", writes);
        m.put("fulcrum_queries", queries);
        return m;
    }

    LoadResult rawMax() {
        return raw.best().load();
    }

    LoadResult writesMax() {
        return writes.best().load();
    }

    LoadResult queriesMax() {
        return queries.best().load();
    }

    /** Each process's CPU while the raw queue ran at its max rate. */
    Map<String, Map<String, Double>> cpuDuringRaw() {
        return raw.best().cpu();
    }

    /** Each process's CPU while Fulcrum's writes ran at their max rate. */
    Map<String, Map<String, Double>> cpuDuringWrites() {
        return writes.best().cpu();
    }

    /**
     * Each process's CPU per answered write at the max write rate, in milliseconds, and the three
     * workers' together ({@code workers}). Two builds are best compared by this: on a shared machine
     * whose speed drifts by a fifth within an hour, their rates move with it, their CPU per write
     * much less.
     */
    Map<String, Double> cpuMillisPerWrite() {
        Map<String, Double> out = new LinkedHashMap<>();
        long answered = writesMax().completed();
        if (answered <= 0) {
            return out;
        }
        double workers = 0;
        for (Map.Entry<String, Map<String, Double>> e : cpuDuringWrites().entrySet()) {
            double seconds = e.getValue().getOrDefault("user_seconds", 0.0) + e.getValue().getOrDefault("system_seconds", 0.0);
            out.put(e.getKey(), seconds * 1000 / answered);
            if (RunBench.REPLICAS.contains(e.getKey())) {
                workers += seconds;
            }
        }
        out.put("workers", workers * 1000 / answered);
        return out;
    }

    /** How the writes of the max-rate level travelled: messages to replicas, writes, writes per message. */
    Map<String, Object> writeBatching() {
        return writes.best().writeBatching();
    }

    /** Fulcrum's max durable writes/s over the raw queue's max messages/s. */
    double throughputRatio() {
        return rawMax().throughput() > 0 ? writesMax().throughput() / rawMax().throughput() : Double.NaN;
    }

    /** The load-curve step at 50 %, or null. */
    LoadCurvePoint halfRate() {
        return loadCurve.stream().filter(p -> p.percent() == 50).findFirst().orElse(null);
    }

    /**
     * Fulcrum's p99 over the raw queue's at half of the max rate: the median of each side's p99 over
     * the 50 % step and its repeats. One step alone let one stall of either side decide the
     * target: a run's raw step at 50 % once had a p99 of 1.6 s (its median 1.1 ms, 3.6–8.3 ms at
     * the steps around it), which made the ratio 0.06.
     */
    double p99LatencyRatio() {
        List<LoadCurvePoint> all = halfRateSteps();
        if (all.isEmpty()) {
            return Double.NaN;
        }
        double raw = median(all.stream().mapToDouble(p -> p.raw().latency().p99Millis()).toArray());
        return raw > 0 ? median(all.stream().mapToDouble(p -> p.fulcrum().latency().p99Millis()).toArray()) / raw : Double.NaN;
    }

    /** Every run of the 50 % step: the load curve's and its repeats; none when the curve has no 50 % step. */
    List<LoadCurvePoint> halfRateSteps() {
        LoadCurvePoint half = halfRate();
        if (half == null) {
            return List.of();
        }
        List<LoadCurvePoint> all = new ArrayList<>(halfRateRepeats);
        all.add(half);
        return all;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The planet-size curve's loads, in the order they ran. */
    List<LoadResult> planetSizes() {
        return planetSteps.stream().map(PlanetStep::load).toList();
    }

    /** See {@link PlanetStep#sizeRatio}. */
    double planetSizeRatio() {
        return PlanetStep.sizeRatio(planetSteps);
    }

    /** The live heap of the worker holding {@code restart}'s cities, in MiB. */
    double workerHeapMiB() {
        double heap = number(restart.get("live_heap_bytes"));
        return heap >= 0 ? heap / 1048576.0 : Double.NaN;
    }

    List<TargetCheck> targets() {
        return TargetCheck.evaluate(new TargetCheck.Measured(throughputRatio(), p99LatencyRatio(), planetSizeRatio(),
                number(merge.get("merge_seconds")), number(merge.get("seconds_waited")),
                ((Number) merge.getOrDefault("operations", 0L)).longValue(), number(restart.get("restart_to_serving_seconds")),
                ((Number) restart.getOrDefault("cities", 0)).longValue(), workerHeapMiB()));
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
