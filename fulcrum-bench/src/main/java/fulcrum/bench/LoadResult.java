package fulcrum.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.HdrHistogram.Histogram;

/**
 * What one load measured: requests answered (and failed) within the run, the throughput, the
 * latency percentiles, and completions per second. {@code targetRate} is 0 for a closed-loop
 * (as fast as it goes) run.
 */
record LoadResult(String name, double targetRate, double seconds, long completed, long failed, double throughput,
                  Percentiles latency, long[] perSecond, @JsonIgnore Histogram histogram) {

    static LoadResult of(String name, double targetRate, double seconds, long completed, long failed,
                         Histogram micros, long[] perSecond) {
        return new LoadResult(name, targetRate, seconds, completed, failed, seconds > 0 ? completed / seconds : 0,
                Percentiles.of(micros), perSecond, micros);
    }
}
