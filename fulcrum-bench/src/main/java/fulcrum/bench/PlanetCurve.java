package fulcrum.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The planet-size curve (README "Benchmark", phase 4): closed-loop writes to one planet of each
 * size, up the sizes and down again (see {@link PlanetStep#sizeRatio}), with the workers' CPU of
 * each step. Run by the full report and by {@code --only planets}.
 */
final class PlanetCurve {
    /** Warm-up of a planet when it is measured again (its code and caches are warm by then), at most. */
    private static final Duration REWARM = Duration.ofSeconds(5);

    private PlanetCurve() {
    }

    /** The planet of {@code cities} cities the curve writes to. */
    static String planetName(int cities) {
        return "Size" + cities;
    }

    /** The curve's planets by name, with their sizes: what fulcrum-1's store is built with. */
    static Map<String, Integer> planets(List<Integer> sizes) {
        Map<String, Integer> planets = new LinkedHashMap<>();
        for (int size : sizes) {
            planets.put(planetName(size), size);
        }
        return planets;
    }

    /**
     * Runs the curve at {@code inFlight} requests per client; each planet warmed up the first time
     * as the other loads are ({@link RunBench#warm}, recorded in {@code warmups}): a planet of
     * 100,000 cities warmed 5 s had been written in a third of its cities and its code still
     * compiled (C2 7 % of the machine).
     */
    static List<PlanetStep> run(RunSettings s, BenchCluster c, JitActivity jit, int inFlight, Map<String, Object> warmups)
            throws IOException, InterruptedException {
        List<PlanetStep> steps = new ArrayList<>();
        List<Integer> order = new ArrayList<>(s.planetSizes());
        List<Integer> down = new ArrayList<>(s.planetSizes());
        Collections.reverse(down);
        order.addAll(down);
        for (int i = 0; i < order.size(); i++) {
            int size = order.get(i);
            boolean again = i >= s.planetSizes().size();
            String name = String.format("a planet of %,d cities%s", size, again ? ", again" : "");
            try (Clients sized = Clients.open(DirectWriteEndpoint.writes(c.uri(), Workload.writesTo(planetName(size), size), s.writeBatch()), s.clients())) {
                if (!again) {
                    warmups.put(name, RunBench.warm(s, sized, jit, inFlight));
                } else if (!s.warmup().isZero()) {
                    Duration rewarm = s.warmup().compareTo(REWARM) <= 0 ? s.warmup() : REWARM;
                    ClosedLoopLoad.run("warm-up", sized.list(), inFlight, rewarm.toNanos());
                }
                Map<String, Double> cpuBefore = workersCpu(c);
                LoadResult load = RunBench.report(ClosedLoopLoad.run(name, sized.list(), inFlight, s.stepDuration().toNanos()));
                steps.add(new PlanetStep(size, load, PlanetStep.cpuBetween(cpuBefore, workersCpu(c))));
            }
        }
        return steps;
    }

    /** The three workers' CPU seconds so far, summed by thread group; empty if any could not be read. */
    private static Map<String, Double> workersCpu(BenchCluster c) {
        Map<String, Double> sum = new LinkedHashMap<>();
        for (String replica : RunBench.REPLICAS) {
            Map<String, Double> groups = ProcessStats.cpuSecondsByThreadGroup(c.pid(replica));
            if (groups.isEmpty()) {
                return Map.of();
            }
            groups.forEach((group, seconds) -> sum.merge(group, seconds, Double::sum));
        }
        return sum;
    }
}
