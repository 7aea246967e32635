package fulcrum.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one load measured: requests answered successfully within the run ({@code completed}), those
 * that failed (by kind, and the first one whole; null when none), the throughput (successes only),
 * the latency percentiles (failures included), and successes per second. {@code targetRate} is 0
 * for a closed-loop (as fast as it goes) run.
 */
record LoadResult(String name, double targetRate, double seconds, long completed, long failed, Map<String, Long> failuresByKind,
                  String firstFailure, double throughput, Percentiles latency, long[] perSecond, @JsonIgnore Histogram histogram) {

    static LoadResult of(String name, double targetRate, double seconds, long completed, long failed,
                         Map<String, Long> failuresByKind, String firstFailure, Histogram micros, long[] perSecond) {
        return new LoadResult(name, targetRate, seconds, completed, failed, Map.copyOf(failuresByKind), firstFailure,
                seconds > 0 ? completed / seconds : 0, Percentiles.of(micros), perSecond, micros);
    }
}
