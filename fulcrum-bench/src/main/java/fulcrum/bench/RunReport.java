package fulcrum.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** Writes a run's results: {@code report.json}, the CSV files and the charts. */
final class RunReport {
    static final String JSON = "report.json";

    private RunReport() {
    }

    /** The JSON report's content: every measurement, the two ratios, and each target with its value and verdict. */
    static Map<String, Object> json(RunResults r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("machine", r.machine());
        out.put("parameters", r.parameters());
        out.put("throughput_ratio", finite(r.throughputRatio()));
        out.put("p99_latency_ratio", finite(r.p99LatencyRatio()));
        out.put("planet_size_ratio", finite(r.planetSizeRatio()));
        out.put("targets", r.targets().stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("description", t.description());
            m.put("value", finite(t.value()));
            m.put("unit", t.unit());
            m.put("comparison", t.comparison());
            m.put("limit", t.limit());
            m.put("met", t.met());
            return m;
        }).toList());
        out.put("raw_max", r.rawMax());
        out.put("fulcrum_writes_max", r.writesMax());
        out.put("fulcrum_queries_max", r.queriesMax());
        out.put("cpu_seconds_during_raw_max", r.cpuDuringRaw());
        out.put("cpu_seconds_during_writes_max", r.cpuDuringWrites());
        out.put("cpu_ms_per_write_during_writes_max", r.cpuMillisPerWrite());
        out.put("write_batching_during_writes_max", r.writeBatching());
        Map<String, Object> ladders = new LinkedHashMap<>();
        r.ladders().forEach((load, ladder) -> ladders.put(load, ladder.describe()));
        out.put("max_rate_by_in_flight", ladders);
        out.put("warmups", r.warmups());
        out.put("load_curve", r.loadCurve());
        out.put("half_rate_repeats", r.halfRateRepeats());
        out.put("planet_size_curve", r.planetSizes());
        out.put("planet_size_cpu", r.planetSteps().stream().map(PlanetStep::describe).toList());
        out.put("restart_and_memory", r.restart());
        out.put("merge", r.merge());
        return out;
    }

    static void write(Path dir, RunResults r) throws IOException {
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(dir.resolve(JSON).toFile(), json(r));
        Csv.write(dir.resolve("measurements.csv"), List.of("measurement", "target_rate", "seconds", "answered", "failed",
                "throughput", "p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms"), measurementRows(r));
        List<List<Object>> curve = new ArrayList<>();
        for (LoadCurvePoint p : r.loadCurve()) {
            curve.add(List.of(p.percent(), p.targetRate(), p.fulcrum().throughput(), p.fulcrum().latency().p50Millis(),
                    p.fulcrum().latency().p99Millis(), p.raw().throughput(), p.raw().latency().p50Millis(),
                    p.raw().latency().p99Millis()));
        }
        Csv.write(dir.resolve("load-curve.csv"), List.of("percent_of_max", "target_rate", "fulcrum_throughput", "fulcrum_p50_ms",
                "fulcrum_p99_ms", "raw_throughput", "raw_p50_ms", "raw_p99_ms"), curve);
        Csv.write(dir.resolve("max-rate-by-in-flight.csv"), List.of("load", "in_flight_per_client", "throughput", "p50_ms",
                "p99_ms"), ladderRows(r));
        Csv.write(dir.resolve("throughput-over-time.csv"), List.of("second", "fulcrum_writes", "fulcrum_queries", "raw"),
                timelineRows(r));
        LoadCurvePoint half = r.halfRate();
        if (half != null) {
            Csv.write(dir.resolve("latency-distribution.csv"), List.of("series", "percentile", "latency_ms"),
                    distributionRows(ordered("fulcrum", half.fulcrum().histogram(), "raw", half.raw().histogram())));
        }
        Map<String, long[]> timelines = new LinkedHashMap<>();
        timelines.put("Fulcrum durable writes", r.writesMax().perSecond());
        timelines.put("Fulcrum queries", r.queriesMax().perSecond());
        timelines.put("raw quorum queue", r.rawMax().perSecond());
        Charts.throughputOverTime(dir.resolve("throughput-over-time.png"), timelines);
        if (half != null) {
            Map<String, Histogram> h = new LinkedHashMap<>();
            h.put("Fulcrum writes", half.fulcrum().histogram());
            h.put("raw quorum queue", half.raw().histogram());
            Charts.latencyDistribution(dir.resolve("latency-distribution.png"),
                    String.format("Latency distribution at %,.0f requests/s (half of Fulcrum's max)", half.targetRate()), h);
        }
        if (!r.loadCurve().isEmpty()) {
            Charts.loadCurve(dir.resolve("load-curve.png"), r.loadCurve());
        }
    }

    private static List<List<Object>> measurementRows(RunResults r) {
        List<LoadResult> all = new ArrayList<>();
        for (MaxRateLadder ladder : r.ladders().values()) {
            ladder.rungs().forEach(rung -> all.add(rung.load()));
        }
        for (LoadCurvePoint p : r.loadCurve()) {
            all.add(p.fulcrum());
            all.add(p.raw());
        }
        all.addAll(r.planetSizes());
        List<List<Object>> rows = new ArrayList<>();
        for (LoadResult l : all) {
            Percentiles p = l.latency();
            rows.add(List.of(l.name(), l.targetRate(), l.seconds(), l.completed(), l.failed(), l.throughput(), p.p50Millis(),
                    p.p90Millis(), p.p99Millis(), p.p999Millis(), p.maxMillis()));
        }
        return rows;
    }

    private static List<List<Object>> ladderRows(RunResults r) {
        List<List<Object>> rows = new ArrayList<>();
        r.ladders().forEach((load, ladder) -> ladder.rungs().forEach(rung -> rows.add(List.of(load, rung.inFlightPerClient(),
                rung.load().throughput(), rung.load().latency().p50Millis(), rung.load().latency().p99Millis()))));
        return rows;
    }

    private static List<List<Object>> timelineRows(RunResults r) {
        long[] w = r.writesMax().perSecond();
        long[] q = r.queriesMax().perSecond();
        long[] raw = r.rawMax().perSecond();
        int n = Math.max(w.length, Math.max(q.length, raw.length));
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(List.of(i + 1, at(w, i), at(q, i), at(raw, i)));
        }
        return rows;
    }

    private static List<List<Object>> distributionRows(Map<String, Histogram> histograms) {
        List<List<Object>> rows = new ArrayList<>();
        histograms.forEach((name, h) -> {
            for (HistogramIterationValue v : h.percentiles(5)) {
                rows.add(List.of(name, v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1000.0));
            }
        });
        return rows;
    }

    private static <V> Map<String, V> ordered(String k1, V v1, String k2, V v2) {
        Map<String, V> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static Object at(long[] values, int i) {
        return i < values.length ? values[i] : "";
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
