package fulcrum.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The replica at scale: a write's cost against its planet's size, a worker's memory with a million
 * cities, restart-to-serving and rejoin times. One run, one cluster of its own.
 */
@Command(name = "scale", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure the replica at scale: throughput on a small vs a large planet (same run), worker heap and "
                + "RSS, restart-to-serving and rejoin time, with --cities cities in one replica.")
final class ScaleBench implements Callable<Integer> {
    private static final List<String> REPLICAS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");

    @Option(names = "--cities", defaultValue = "1000000", description = "cities held in all (default ${DEFAULT-VALUE})")
    int cities;

    @Option(names = "--small", defaultValue = "100", description = "cities of the small planet (default ${DEFAULT-VALUE})")
    int small;

    @Option(names = "--large", defaultValue = "100000", description = "cities of the large planet (default ${DEFAULT-VALUE})")
    int large;

    @Option(names = "--phase-seconds", defaultValue = "10", description = "length of one write phase (default ${DEFAULT-VALUE})")
    double phaseSeconds;

    @Option(names = "--rounds", defaultValue = "3", description = "small/large phase pairs (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--in-flight", defaultValue = "128", description = "writes in flight (default ${DEFAULT-VALUE})")
    int inFlight;

    @Option(names = "--heap", defaultValue = "256m", description = "each worker's -Xmx (default ${DEFAULT-VALUE})")
    String heap;

    @Option(names = "--root", defaultValue = ".", description = "the repository root (jars under <module>/target)")
    Path root;

    @Option(names = "--out", description = "where to write scale.json and the cluster's files (default .fulcrum/bench/scale-<time>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out : root.resolve(".fulcrum/bench/scale-" + Instant.now().toString().replace(':', '-'));
        Files.createDirectories(dir);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("machine", Machine.describe());
        report.put("cities", cities);
        int huge = cities - small - large;
        Map<String, Integer> planets = new LinkedHashMap<>(Map.of("Small", small, "Large", large));
        if (huge > 0) {
            planets.put("Huge", huge);
        }
        System.out.printf("building fulcrum-1's store offline: %s%n", planets);
        long t0 = System.nanoTime();
        Path f1 = dir.resolve("data").resolve("fulcrum-1");
        StoreBuilder.build(f1, "fulcrum-1", REPLICAS, planets);
        report.put("build_seconds", seconds(t0));
        report.put("store_bytes_fulcrum_1", DirectorySize.of(f1));

        try (BenchCluster cluster = new BenchCluster(root, dir, List.of("-Xmx" + heap))) {
            t0 = System.nanoTime();
            cluster.startWorker("fulcrum-1");
            Duration firstStart = cluster.awaitServing("fulcrum-1", Duration.ofMinutes(5));
            report.put("start_to_serving_seconds_fulcrum_1", firstStart.toMillis() / 1000.0);
            System.out.printf("fulcrum-1 serves %.2f s after its start%n", firstStart.toMillis() / 1000.0);

            cluster.startWorker("fulcrum-2");
            cluster.startWorker("fulcrum-3");
            Duration rejoin2 = cluster.awaitServing("fulcrum-2", Duration.ofMinutes(20));
            Duration rejoin3 = cluster.awaitServing("fulcrum-3", Duration.ofMinutes(20));
            report.put("rejoin_seconds_fulcrum_2", rejoin2.toMillis() / 1000.0);
            report.put("rejoin_seconds_fulcrum_3", rejoin3.toMillis() / 1000.0);
            System.out.printf("empty replicas joined from a peer holding %d cities in %.1f s and %.1f s%n", cities,
                    rejoin2.toMillis() / 1000.0, rejoin3.toMillis() / 1000.0);

            cluster.startRouter();
            List<WriteLoad.Phase> phases = new ArrayList<>();
            try (WriteLoad load = new WriteLoad(cluster.connection(), inFlight)) {
                // warm-up, not reported: the JIT, and both planets' blocks in the caches
                load.run("Small", small, phaseSeconds);
                load.drain(inFlight);
                load.run("Large", large, phaseSeconds);
                load.drain(inFlight);
                for (int r = 0; r < rounds; r++) {
                    for (Map.Entry<String, Integer> p : List.of(Map.entry("Small", small), Map.entry("Large", large))) {
                        WriteLoad.Phase phase = load.run(p.getKey(), p.getValue(), phaseSeconds);
                        load.drain(inFlight);
                        phases.add(phase);
                        System.out.printf("  %-5s (%,7d cities): %,8.0f writes/s  p50 %6.1f ms  p99 %6.1f ms%n", phase.planet(),
                                phase.cities(), phase.writesPerSecond(), phase.p50Millis(), phase.p99Millis());
                    }
                }
            }
            report.put("phases", phases);
            double smallRate = phases.stream().filter(p -> p.planet().equals("Small")).mapToDouble(WriteLoad.Phase::writesPerSecond).average().orElse(0);
            double largeRate = phases.stream().filter(p -> p.planet().equals("Large")).mapToDouble(WriteLoad.Phase::writesPerSecond).average().orElse(0);
            report.put("writes_per_second_small", smallRate);
            report.put("writes_per_second_large", largeRate);
            report.put("large_to_small_ratio", smallRate == 0 ? 0 : largeRate / smallRate);

            Map<String, Object> memory = new LinkedHashMap<>();
            for (String replica : REPLICAS) {
                long pid = cluster.pid(replica);
                memory.put(replica, Map.of("live_heap_bytes", ProcessStats.liveHeapBytes(pid), "rss_bytes", ProcessStats.rssBytes(pid)));
            }
            report.put("memory", memory);

            cluster.kill9("fulcrum-1");
            cluster.forgetStatus("fulcrum-1");
            cluster.startWorker("fulcrum-1");
            Duration restart = cluster.awaitServing("fulcrum-1", Duration.ofMinutes(5));
            report.put("restart_to_serving_seconds_fulcrum_1", restart.toMillis() / 1000.0);
            System.out.printf("fulcrum-1 killed (-9) and restarted: serves again %.2f s after its start%n", restart.toMillis() / 1000.0);
        }
        Path json = dir.resolve("scale.json");
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(json.toFile(), report);
        System.out.println(ScaleTable.of(report));
        System.out.println("written: " + json);
        return 0;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
