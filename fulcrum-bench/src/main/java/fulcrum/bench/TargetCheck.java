package fulcrum.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One of the speed issue's targets, judged on a measured value: {@code value} against
 * {@code limit} ({@code atMost}: the value must not exceed it; else it must reach it). A value of
 * NaN (not measured in this run) is never met.
 */
record TargetCheck(String name, String description, double value, String unit, String comparison, double limit,
                   boolean met) {

    static TargetCheck atMost(String name, String description, double value, String unit, double limit) {
        return new TargetCheck(name, description, value, unit, "<=", limit, !Double.isNaN(value) && value <= limit);
    }

    static TargetCheck atLeast(String name, String description, double value, String unit, double limit) {
        return new TargetCheck(name, description, value, unit, ">=", limit, !Double.isNaN(value) && value >= limit);
    }

    /** The measured values the targets are judged on (NaN where the run did not measure one). */
    record Measured(double throughputRatio, double p99LatencyRatio, double planetSizeRatio, double mergeSeconds,
                    double mergeSecondsWaited, long mergeOperations, double restartSeconds, long restartCities,
                    double workerHeapMiB) {
    }

    static List<TargetCheck> evaluate(Measured m) {
        List<TargetCheck> out = new ArrayList<>();
        out.add(atLeast("throughput_ratio", "Fulcrum durable writes/s ÷ raw quorum-queue messages/s", m.throughputRatio(),
                "ratio", 0.5));
        out.add(atMost("p99_latency_ratio", "Fulcrum write p99 ÷ raw p99, both at half of Fulcrum's max rate",
                m.p99LatencyRatio(), "ratio", 3.0));
        out.add(atLeast("planet_size_ratio", "writes/s on the largest planet ÷ on the smallest", m.planetSizeRatio(),
                "ratio", 0.8));
        if (Double.isNaN(m.mergeSeconds()) && !Double.isNaN(m.mergeSecondsWaited())) {
            // not converged within the run's timeout: the time waited is a lower bound, and the target is not met
            out.add(new TargetCheck("merge_seconds", String.format("merge of %,d operations across three replicas until "
                    + "converged (NOT converged: value is the time waited)", m.mergeOperations()), m.mergeSecondsWaited(), "s",
                    "<=", 10.0, false));
        } else {
            out.add(atMost("merge_seconds", String.format("merge of %,d operations across three replicas until converged",
                    m.mergeOperations()), m.mergeSeconds(), "s", 10.0));
        }
        out.add(atMost("restart_to_serving_seconds", String.format("worker restart (kill -9) to serving with %,d cities",
                m.restartCities()), m.restartSeconds(), "s", 2.0));
        out.add(atMost("worker_heap_mib", String.format("worker live heap with %,d cities", m.restartCities()),
                m.workerHeapMiB(), "MiB", 256.0));
        return out;
    }
}
