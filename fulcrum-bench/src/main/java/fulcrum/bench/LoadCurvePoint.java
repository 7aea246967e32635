package fulcrum.bench;

/** One step of the load curve: a share of Fulcrum's max write rate, offered to Fulcrum and to the raw queue. */
record LoadCurvePoint(int percent, double targetRate, LoadResult fulcrum, LoadResult raw) {

    /** Fulcrum's p99 over the raw queue's at this rate (NaN when the raw p99 is 0). */
    double p99Ratio() {
        double raw = this.raw.latency().p99Millis();
        return raw > 0 ? fulcrum.latency().p99Millis() / raw : Double.NaN;
    }
}
