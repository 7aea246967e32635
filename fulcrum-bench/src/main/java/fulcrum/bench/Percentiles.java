package fulcrum.bench;

import org.HdrHistogram.Histogram;

/** The latency figures the report gives for one measurement, in milliseconds. */
record Percentiles(long count, double meanMillis, double p50Millis, double p90Millis, double p99Millis,
                   double p999Millis, double maxMillis) {

    /** From a histogram of microseconds. */
    static Percentiles of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return new Percentiles(0, 0, 0, 0, 0, 0, 0);
        }
        return new Percentiles(micros.getTotalCount(), micros.getMean() / 1000.0, ms(micros, 50), ms(micros, 90),
                ms(micros, 99), ms(micros, 99.9), micros.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram micros, double percentile) {
        return micros.getValueAtPercentile(percentile) / 1000.0;
    }
}
