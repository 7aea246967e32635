package fulcrum.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A merge of many operations, on a cluster of its own: each of the three replicas' stores is built
 * offline with its share of {@code operations} AddCity entries, left unpublished (each on a planet
 * of its own), then the three workers start together; each publishes its entries to its peers, and
 * the clock runs until every replica serves and announces that it applied all of them, or the
 * timeout passes (then the report says how far they got). The workers' CPU (by thread group: the
 * workers started with the clock, so this is the merge's) and memory are read at the end.
 */
final class MergeMeasure {
    private static final List<String> REPLICAS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");

    private MergeMeasure() {
    }

    static Map<String, Object> run(Path root, Path dir, long operations, Duration timeout, String heap, Path flightRecordings)
            throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Long> target = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        for (int k = 0; k < REPLICAS.size(); k++) {
            String replica = REPLICAS.get(k);
            long share = operations / REPLICAS.size() + (k < operations % REPLICAS.size() ? 1 : 0);
            System.out.printf("building %s's store offline: %,d unpublished AddCity entries%n", replica, share);
            StoreBuilder.build(dir.resolve("data").resolve(replica), replica, REPLICAS,
                    Map.of("Merge-" + (k + 1), (int) share), 1_000 + k, false);
            target.put(replica, share);
        }
        out.put("operations", operations);
        out.put("offline_build_seconds", (System.nanoTime() - t0) / 1e9);

        try (BenchCluster cluster = new BenchCluster(root, dir, List.of("-Xmx" + heap), flightRecordings)) {
            long start = System.nanoTime();
            for (String replica : REPLICAS) {
                cluster.startWorker(replica);
            }
            boolean converged;
            try {
                cluster.awaitApplied(target, timeout);
                converged = true;
            } catch (IllegalStateException notInTime) {
                converged = false;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Double allServing = secondsUntilAllServe(cluster, start);
            long toApply = operations * (REPLICAS.size() - 1); // each replica applies its peers' entries
            long applied = cluster.peerEntriesApplied() ;
            out.put("converged", converged);
            out.put("merge_seconds", converged ? seconds : null);
            out.put("seconds_waited", seconds);
            // the start of three fresh JVMs and their stores, apart from the merge proper (to the 500 ms status interval)
            out.put("seconds_until_all_serve", allServing);
            out.put("merge_seconds_after_all_serve", converged && allServing != null ? seconds - allServing : null);
            out.put("peer_entries_to_apply", toApply);
            out.put("peer_entries_applied", applied);
            out.put("entries_applied_per_second", applied / seconds);
            if (converged) {
                System.out.printf("merge of %,d operations across three replicas: converged %.2f s after the workers started"
                        + " (all three served after %s s)%n", operations, seconds,
                        allServing == null ? "?" : String.format("%.2f", allServing));
            } else {
                System.out.printf("merge of %,d operations across three replicas: NOT converged after %.0f s (%,d of %,d peer "
                        + "entries applied, %,.0f/s)%n", operations, seconds, applied, toApply, applied / seconds);
            }
            Map<String, Object> cpu = new LinkedHashMap<>();
            for (String replica : REPLICAS) {
                Map<String, Double> groups = ProcessStats.cpuSecondsByThreadGroup(cluster.pid(replica));
                cpu.put(replica, groups);
                System.out.printf("%s CPU seconds by thread group: %s%n", replica, rounded(groups));
            }
            out.put("worker_cpu_seconds_by_thread_group", cpu);
            Map<String, Object> memory = new LinkedHashMap<>();
            for (String replica : REPLICAS) {
                long pid = cluster.pid(replica);
                memory.put(replica, Map.of("live_heap_bytes", ProcessStats.liveHeapBytes(pid), "rss_bytes", ProcessStats.rssBytes(pid)));
            }
            out.put("memory_at_end", memory);
        }
        return out;
    }

    /** Seconds from {@code startNanos} until the last of the replicas first announced that it serves; null if one has not. */
    private static Double secondsUntilAllServe(BenchCluster cluster, long startNanos) {
        long last = startNanos;
        for (String replica : REPLICAS) {
            Long at = cluster.servingAtNanos(replica);
            if (at == null) {
                return null;
            }
            last = Math.max(last, at);
        }
        return (last - startNanos) / 1e9;
    }

    private static Map<String, String> rounded(Map<String, Double> seconds) {
        Map<String, String> out = new LinkedHashMap<>();
        seconds.forEach((group, s) -> out.put(group, String.format("%.1f", s)));
        return out;
    }
}
