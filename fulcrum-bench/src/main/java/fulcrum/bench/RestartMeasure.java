package fulcrum.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A worker holding many cities, on a cluster of its own: its store is built offline (a serving
 * replica of a three-replica cluster, everything published), the worker is started alone (a
 * serving store serves without waiting for its peers), its live heap and RSS are read, then it is
 * killed with kill -9 and started again, and the time from that start to its first announcement
 * as serving is the restart time (JVM start included; the status interval, 500 ms, bounds the error).
 */
final class RestartMeasure {
    private static final List<String> REPLICAS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");

    private RestartMeasure() {
    }

    static Map<String, Object> run(Path root, Path dir, int cities, String heap, Path flightRecordings) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        System.out.printf("building fulcrum-1's store offline: %,d cities%n", cities);
        long t0 = System.nanoTime();
        StoreBuilder.build(dir.resolve("data").resolve("fulcrum-1"), "fulcrum-1", REPLICAS, Map.of("Restart", cities));
        out.put("cities", cities);
        out.put("offline_build_seconds", (System.nanoTime() - t0) / 1e9);
        out.put("store_bytes", DirectorySize.of(dir.resolve("data").resolve("fulcrum-1")));
        try (BenchCluster cluster = new BenchCluster(root, dir, List.of("-Xmx" + heap), flightRecordings)) {
            cluster.startWorker("fulcrum-1");
            out.put("first_start_to_serving_seconds", cluster.awaitServing("fulcrum-1", Duration.ofMinutes(5)).toMillis() / 1000.0);
            long pid = cluster.pid("fulcrum-1");
            out.put("live_heap_bytes", ProcessStats.liveHeapBytes(pid));
            out.put("rss_bytes", ProcessStats.rssBytes(pid));
            cluster.kill9("fulcrum-1");
            cluster.forgetStatus("fulcrum-1");
            cluster.startWorker("fulcrum-1");
            Duration restart = cluster.awaitServing("fulcrum-1", Duration.ofMinutes(5));
            out.put("restart_to_serving_seconds", restart.toMillis() / 1000.0);
            System.out.printf("a worker holding %,d cities: live heap %d MiB, RSS %d MiB; killed (-9) and restarted, it serves "
                    + "%.2f s after its start%n", cities, (Long) out.get("live_heap_bytes") >> 20, (Long) out.get("rss_bytes") >> 20,
                    restart.toMillis() / 1000.0);
        }
        return out;
    }
}
