package fulcrum.bench;

import java.util.Locale;
import java.util.Map;

/** A run's results as the Markdown table the README shows. */
final class RunTable {
    private RunTable() {
    }

    static String of(RunResults r) {
        StringBuilder sb = new StringBuilder("| measure | value |\n| --- | --- |\n");
        row(sb, "raw quorum queue, max (closed loop" + at(r.raw()) + ")", rate(r.rawMax()));
        row(sb, "Fulcrum durable writes, max (closed loop" + at(r.writes()) + ")", rate(r.writesMax()));
        row(sb, "Fulcrum queries (Leia's path), max (closed loop" + at(r.queries()) + ")", rate(r.queriesMax()));
        if (r.raw().rungs().size() > 1) {
            for (int i = 0; i < r.raw().rungs().size(); i++) {
                int level = r.raw().rungs().get(i).inFlightPerClient();
                row(sb, String.format(Locale.ROOT, "closed loop, %d in flight per client: raw / writes / queries", level),
                        String.format(Locale.ROOT, "%s / %s / %s", brief(r.raw(), i), brief(r.writes(), i), brief(r.queries(), i)));
            }
        }
        row(sb, "**throughput_ratio** (Fulcrum writes/s ÷ raw msgs/s)", fmt("%.2f", r.throughputRatio()));
        for (LoadCurvePoint p : r.loadCurve()) {
            row(sb, String.format(Locale.ROOT, "load curve %d %% (%,.0f/s offered): Fulcrum / raw", p.percent(), p.targetRate()),
                    String.format(Locale.ROOT, "%,.0f/s p99 %.1f ms / %,.0f/s p99 %.1f ms", p.fulcrum().throughput(),
                            p.fulcrum().latency().p99Millis(), p.raw().throughput(), p.raw().latency().p99Millis()));
        }
        row(sb, String.format(Locale.ROOT, "**p99_latency_ratio** at half of the max rate (Fulcrum ÷ raw, medians of %d runs of the step)",
                r.halfRateSteps().size()), fmt("%.2f", r.p99LatencyRatio()));
        for (LoadResult l : r.planetSizes()) {
            row(sb, "writes on " + l.name(), rate(l));
        }
        row(sb, "planet-size ratio (largest ÷ smallest)", fmt("%.2f", r.planetSizeRatio()));
        Map<String, Object> restart = r.restart();
        if (!restart.isEmpty()) {
            String cities = String.format(Locale.ROOT, "%,d cities", (Number) restart.get("cities"));
            row(sb, "worker restart (kill -9) to serving, " + cities, fmt("%.2f s", number(restart.get("restart_to_serving_seconds"))));
            row(sb, "worker live heap / RSS, " + cities, String.format(Locale.ROOT, "%d MiB / %d MiB",
                    ((Number) restart.get("live_heap_bytes")).longValue() >> 20, ((Number) restart.get("rss_bytes")).longValue() >> 20));
        }
        Map<String, Object> m = r.merge();
        if (!m.isEmpty()) {
            String what = String.format(Locale.ROOT, "merge of %,d operations across 3 replicas, until converged", (Number) m.get("operations"));
            if (Boolean.TRUE.equals(m.get("converged"))) {
                row(sb, what, fmt("%.1f s", number(m.get("merge_seconds"))));
            } else {
                row(sb, what, String.format(Locale.ROOT, "not converged after %.0f s: %,d of %,d peer entries applied (%,.0f/s)",
                        number(m.get("seconds_waited")), (Number) m.get("peer_entries_applied"), (Number) m.get("peer_entries_to_apply"),
                        number(m.get("entries_applied_per_second"))));
            }
        }
        sb.append("\n| target | value | limit | met |\n| --- | --- | --- | --- |\n");
        for (TargetCheck t : r.targets()) {
            sb.append("| ").append(t.name()).append(": ").append(t.description()).append(" | ")
                    .append(Double.isNaN(t.value()) ? "not measured" : fmt("%.2f", t.value()) + " " + t.unit()).append(" | ")
                    .append(t.comparison()).append(' ').append(fmt("%.1f", t.limit())).append(" | ")
                    .append(t.met() ? "**met**" : "**not met**").append(" |\n");
        }
        return sb.toString();
    }

    private static String at(MaxRateLadder ladder) {
        return ladder.rungs().size() > 1 ? ", best at " + ladder.best().inFlightPerClient() + " in flight per client" : "";
    }

    private static String brief(MaxRateLadder ladder, int rung) {
        if (rung >= ladder.rungs().size()) {
            return "—";
        }
        LoadResult l = ladder.rungs().get(rung).load();
        return String.format(Locale.ROOT, "%,.0f/s (p99 %.1f ms)", l.throughput(), l.latency().p99Millis());
    }

    private static String rate(LoadResult l) {
        return String.format(Locale.ROOT, "%,.0f/s (p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms)", l.throughput(),
                l.latency().p50Millis(), l.latency().p99Millis(), l.latency().p999Millis(), l.latency().maxMillis());
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String fmt(String format, double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    private static void row(StringBuilder sb, String measure, String value) {
        sb.append("| ").append(measure).append(" | ").append(value).append(" |\n");
    }
}
