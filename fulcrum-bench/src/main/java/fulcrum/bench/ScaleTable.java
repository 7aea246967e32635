package fulcrum.bench;

import java.util.Map;

/** The scale report as the Markdown table the README shows. */
final class ScaleTable {
    private ScaleTable() {
    }

    @SuppressWarnings("unchecked")
    static String of(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        sb.append("| measure | value |\n| --- | --- |\n");
        row(sb, "cities in the cluster", String.format("%,d", (Integer) r.get("cities")));
        row(sb, "writes/s, planet of 100 cities", String.format("%,.0f", (Double) r.get("writes_per_second_small")));
        row(sb, "writes/s, planet of 100,000 cities", String.format("%,.0f", (Double) r.get("writes_per_second_large")));
        row(sb, "ratio large / small", String.format("%.2f", (Double) r.get("large_to_small_ratio")));
        Map<String, Map<String, Long>> memory = (Map<String, Map<String, Long>>) r.get("memory");
        memory.forEach((replica, m) -> row(sb, replica + " live heap / RSS",
                String.format("%,d MiB / %,d MiB", m.get("live_heap_bytes") >> 20, m.get("rss_bytes") >> 20)));
        row(sb, "first start to serving (fulcrum-1)", r.get("start_to_serving_seconds_fulcrum_1") + " s");
        row(sb, "restart to serving after kill -9 (fulcrum-1)", r.get("restart_to_serving_seconds_fulcrum_1") + " s");
        row(sb, "rejoin of an empty replica (fulcrum-2, fulcrum-3)",
                r.get("rejoin_seconds_fulcrum_2") + " s, " + r.get("rejoin_seconds_fulcrum_3") + " s");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String measure, String value) {
        sb.append("| ").append(measure).append(" | ").append(value).append(" |\n");
    }
}
