package fulcrum.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything one {@code bench run} measured, before it is written out. {@code restart} and
 * {@code merge} are {@link RestartMeasure}'s and {@link MergeMeasure}'s figures (empty when the
 * run skipped them); {@code writeBatching} how the clients' writes of the max-rate phase travelled
 * (messages to replicas, writes, writes per message); {@code warmups} how long each load was warmed
 * up and how busy the JIT compilers still were.
 */
record RunResults(Map<String, Object> machine, Map<String, Object> parameters, LoadResult rawMax, LoadResult writesMax,
                  LoadResult queriesMax, Map<String, Map<String, Double>> cpuDuringRaw,
                  Map<String, Map<String, Double>> cpuDuringWrites, List<LoadCurvePoint> loadCurve,
                  List<LoadResult> planetSizes, Map<String, Object> restart,
                  Map<String, Object> merge, Map<String, Object> writeBatching, Map<String, Object> warmups) {

    /** Fulcrum's max durable writes/s over the raw queue's max messages/s. */
    double throughputRatio() {
        return rawMax.throughput() > 0 ? writesMax.throughput() / rawMax.throughput() : Double.NaN;
    }

    /** The load-curve step at 50 %, or null. */
    LoadCurvePoint halfRate() {
        return loadCurve.stream().filter(p -> p.percent() == 50).findFirst().orElse(null);
    }

    double p99LatencyRatio() {
        LoadCurvePoint half = halfRate();
        return half == null ? Double.NaN : half.p99Ratio();
    }

    /** Writes/s on the largest planet over those on the smallest. */
    double planetSizeRatio() {
        if (planetSizes.size() < 2 || planetSizes.get(0).throughput() <= 0) {
            return Double.NaN;
        }
        return planetSizes.get(planetSizes.size() - 1).throughput() / planetSizes.get(0).throughput();
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
