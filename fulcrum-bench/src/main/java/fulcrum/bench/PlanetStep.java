package fulcrum.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of the planet-size curve: closed-loop writes to one planet of {@code cities} cities,
 * and the CPU seconds the three workers used during it, summed by thread group
 * ({@link ProcessStats#cpuSecondsByThreadGroup}; empty where /proc could not tell). The groups say
 * where a large planet's cost goes: the workers' own threads, RocksDB's compactions, the GC.
 */
record PlanetStep(int cities, LoadResult load, Map<String, Double> workerCpuSeconds) {

    PlanetStep(int cities, LoadResult load) {
        this(cities, load, Map.of());
    }

    PlanetStep {
        workerCpuSeconds = Map.copyOf(workerCpuSeconds);
    }

    /**
     * What {@code after} adds to {@code before}, group by group: the CPU of one step. Empty when
     * either reading is (a process /proc could not read makes the sum meaningless).
     */
    static Map<String, Double> cpuBetween(Map<String, Double> before, Map<String, Double> after) {
        if (before.isEmpty() || after.isEmpty()) {
            return Map.of();
        }
        Map<String, Double> used = new LinkedHashMap<>();
        after.forEach((group, seconds) -> used.put(group, Math.max(0, seconds - before.getOrDefault(group, 0.0))));
        return used;
    }

    /** The step in the report: its load's name and rate, and the workers' CPU in cores and in ms per write, by thread group. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", load.name());
        m.put("cities", cities);
        m.put("writes_per_second", Math.round(load.throughput()));
        Map<String, Double> cores = new LinkedHashMap<>();
        Map<String, Double> msPerWrite = new LinkedHashMap<>();
        workerCpuSeconds.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (load.seconds() > 0) {
                cores.put(e.getKey(), round3(e.getValue() / load.seconds()));
            }
            if (load.completed() > 0) {
                msPerWrite.put(e.getKey(), round3(e.getValue() * 1000 / load.completed()));
            }
        });
        m.put("worker_cpu_cores_by_thread_group", cores);
        m.put("worker_cpu_ms_per_write_by_thread_group", msPerWrite);
        return m;
    }

    private static double round3(double x) {
        return Math.round(x * 1000) / 1000.0;
    }

    /**
     * Writes/s on the largest planet ÷ on the smallest, each the mean of its steps: the curve runs up
     * the sizes and down again, so a drift of the machine's speed during it (a planet of 100 cities
     * measured at 14,508 and 11,422 writes/s a minute apart) weighs on both sides alike. NaN without
     * two sizes.
     */
    static double sizeRatio(List<PlanetStep> steps) {
        if (steps.isEmpty()) {
            return Double.NaN;
        }
        int smallest = steps.stream().mapToInt(PlanetStep::cities).min().getAsInt();
        int largest = steps.stream().mapToInt(PlanetStep::cities).max().getAsInt();
        double small = meanThroughput(steps, smallest);
        if (smallest == largest || small <= 0) {
            return Double.NaN;
        }
        return meanThroughput(steps, largest) / small;
    }

    private static double meanThroughput(List<PlanetStep> steps, int cities) {
        return steps.stream().filter(p -> p.cities() == cities).mapToDouble(p -> p.load().throughput()).average().orElse(0);
    }
}
