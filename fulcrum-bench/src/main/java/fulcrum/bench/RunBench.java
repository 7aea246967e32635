package fulcrum.bench;

import fulcrum.common.cli.DurationConverter;
import fulcrum.common.client.WriteBatching;
import fulcrum.common.wire.CommandCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench run}: Fulcrum against the raw broker, in one run on a cluster of its own. See
 * README "Benchmark" for what each phase measures and why.
 */
@picocli.CommandLine.Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure Fulcrum's durable write and query throughput and latency against a raw RabbitMQ quorum "
                + "queue on the same broker, a load curve, a planet-size curve, a merge of many operations, restart "
                + "to serving and worker memory; write report.json, CSV files and PNG charts.")
final class RunBench implements Callable<Integer> {
    static final List<String> REPLICAS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "a run of a few minutes: 5s phases, 3s steps, planets up to 10,000 cities, merge of 30,000 operations")
    boolean quick;

    @Option(names = "--duration", converter = DurationConverter.class, description = "each max-rate phase (default 30s; quick 5s)")
    Duration duration;

    @Option(names = "--step-duration", converter = DurationConverter.class, description = "each load-curve and planet-size step (default 10s; quick 3s)")
    Duration stepDuration;

    @Option(names = "--warmup", converter = DurationConverter.class, description = "warm-up before each kind of load, not reported (default 60s, then on while the JIT compilers are busy, up to --warmup-max; quick 2s)")
    Duration warmup;

    @Option(names = "--warmup-max", converter = DurationConverter.class, description = "a load's warm-up at most: past --warmup it goes on in 10 s windows until no JVM's JIT compilers used 5 %% of a core in one (default 5m; with --quick or a --warmup given: that warm-up, no more)")
    Duration warmupMax;

    @Option(names = "--clients", description = "client connections per load (default 2)")
    Integer clients;

    @Option(names = "--in-flight", split = ",", paramLabel = "N[,N...]", description = "requests each client keeps out in the "
            + "closed-loop phases; with several, each load runs at each and its max rate is its best (default 64,256,1024)")
    List<Integer> inFlight;

    @Option(names = "--write-batch", description = "writes a bench client puts in one message to a replica at most, 1..64; 1 sends each alone (default 64)")
    Integer writeBatch;

    @Option(names = "--planets", description = "planets the writes and queries spread over (default 10)")
    Integer planets;

    @Option(names = "--cities-per-planet", description = "cities of each of those planets (default 1000)")
    Integer citiesPerPlanet;

    @Option(names = "--planet-sizes", split = ",", description = "the planet-size curve: one planet of each size (default 100,10000,100000; quick 100,1000,10000)")
    List<Integer> planetSizes;

    @Option(names = "--merge-ops", description = "operations merged across three replicas; 0 skips the merge (default 1000000; quick 30000)")
    Long mergeOperations;

    @Option(names = "--merge-timeout", converter = DurationConverter.class, description = "how long the merge may take before the report says how far it got (default 10m; quick 2m)")
    Duration mergeTimeout;

    @Option(names = "--restart-cities", description = "cities of the worker whose heap, RSS and restart to serving are measured; 0 skips it (default 1000000; quick 100000)")
    Integer restartCities;

    @Option(names = "--heap", description = "each worker's -Xmx (default 256m)")
    String heap;

    @Option(names = "--only", paramLabel = "PART", description = "measure only this part: merge (writes merge.json instead of the full report), "
            + "planets (the planet-size curve at the most of --in-flight, on a cluster holding only those planets; writes planets.json), or apply (a replica's own "
            + "cost per peer entry, in-process without a broker, one replica's share of --merge-ops applied "
            + RunSettings.APPLY_ROUNDS + " times; writes apply.json; default: all)")
    RunSettings.Part only;

    @Option(names = "--jfr", description = "run every worker and the router with Java Flight Recorder; recordings under OUT/jfr")
    boolean flightRecorder;

    @Option(names = "--root", defaultValue = ".", description = "the repository root (jars under <module>/target)")
    Path root;

    @Option(names = "--out", description = "where to write the report, CSV, charts and the clusters' files (default .fulcrum/bench/run-<time>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        RunSettings s;
        try {
            s = RunSettings.resolve(quick, duration, stepDuration, warmup, clients, inFlight, planets, citiesPerPlanet,
                    planetSizes, mergeOperations, mergeTimeout, restartCities, heap, only).withWriteBatch(writeBatch).withWarmupMax(warmupMax);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path dir = out != null ? out : root.resolve(".fulcrum/bench/run-" + Instant.now().toString().replace(':', '-'));
        if (Files.isDirectory(dir)) {
            try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    // a second run there would find the first one's stores: an apply run would take entries it already
                    // holds (duplicates, 0.7 us each) and report that as the cost of applying them
                    throw new ParameterException(spec.commandLine(), "--out " + dir + " is not empty: a run builds its "
                            + "stores and clusters there; give a new or empty directory");
                }
            }
        }
        Files.createDirectories(dir);
        Path jfr = flightRecorder ? dir.resolve("jfr") : null;
        Map<String, Object> machine = Machine.describe();
        machine.put("load_average_at_start", Machine.loadAverage());
        if (s.only() == RunSettings.Part.merge) {
            return measureMergeOnly(s, dir, jfr, machine);
        }
        if (s.only() == RunSettings.Part.apply) {
            return measureApplyOnly(s, dir, machine);
        }
        if (s.only() == RunSettings.Part.planets) {
            return measurePlanetsOnly(s, dir, jfr, machine);
        }
        RunResults results = measure(s, dir, jfr, machine);
        machine.put("load_average_at_end", Machine.loadAverage());
        RunReport.write(dir, results);
        System.out.println();
        System.out.println(RunTable.of(results));
        System.out.println("written: " + dir.resolve(RunReport.JSON) + " (and CSV files, PNG charts beside it)");
        return 0;
    }

    private RunResults measure(RunSettings s, Path dir, Path jfr, Map<String, Object> machine) throws Exception {
        Workload workload = new Workload(s.planets(), s.citiesPerPlanet());
        Map<String, Integer> planetsToBuild = new LinkedHashMap<>(workload.planets());
        planetsToBuild.putAll(PlanetCurve.planets(s.planetSizes()));
        Path cluster = dir.resolve("cluster");
        System.out.printf("building fulcrum-1's store offline: %d planets of %,d cities, and planets of %s cities%n",
                s.planets(), s.citiesPerPlanet(), s.planetSizes());
        StoreBuilder.build(cluster.resolve("data").resolve("fulcrum-1"), "fulcrum-1", REPLICAS, planetsToBuild);

        MaxRateLadder raw;
        MaxRateLadder writes;
        MaxRateLadder queries;
        List<LoadCurvePoint> curve = new ArrayList<>();
        List<LoadCurvePoint> halfRateRepeats = new ArrayList<>();
        List<PlanetStep> sizes = new ArrayList<>();
        Map<String, Object> warmups = new LinkedHashMap<>();
        try (BenchCluster c = new BenchCluster(root, cluster, List.of("-Xmx" + s.heap()), jfr)) {
            machine.put("rabbitmq", c.brokerVersion());
            startServing(c);
            JitActivity jit = JitActivity.of(c);

            byte[] sameSizeBody = CommandCodec.encode(workload.writes().apply(0));
            try (RawQueueBaseline rawQueue = new RawQueueBaseline(c.uri(), sameSizeBody);
                 Clients rawClients = Clients.open(rawQueue.producers(), s.clients());
                 Clients writers = Clients.open(DirectWriteEndpoint.writes(c.uri(), workload.writes(), s.writeBatch()), s.clients());
                 Clients leias = Clients.open(FulcrumEndpoint.queries(c.uri(), workload.queries()), s.clients())) {
                System.out.printf("each load warmed up right before it is measured (not reported): %d s, then until the JIT "
                        + "compilers are quiet, %d s at most; then measured at %s requests in flight per client%n",
                        s.warmup().toSeconds(), s.warmupMax().toSeconds(), s.inFlightLevels());
                warmups.put("raw max", warm(s, rawClients, jit));
                raw = MaxRateLadder.climb("raw max", rawClients, s.inFlightLevels(), s.duration(), () -> cpu(c), null);
                warmups.put("Fulcrum writes max", warm(s, writers, jit));
                Instant writesFrom = Instant.now();
                writes = MaxRateLadder.climb("Fulcrum writes max", writers, s.inFlightLevels(), s.duration(), () -> cpu(c),
                        batchingProbe(writers));
                // the window, to cut a flight recording (--jfr) to the write phase
                System.out.printf("  (Fulcrum writes max ran from %s to %s)%n", writesFrom, Instant.now());
                warmups.put("Fulcrum queries max", warm(s, leias, jit));
                queries = MaxRateLadder.climb("Fulcrum queries max", leias, s.inFlightLevels(), s.duration(), () -> cpu(c), null);
                // the query load just ran: the write path is warmed again before the curve's first step
                warmups.put("load curve", warm(s, writers, jit));
                for (int percent : RunSettings.LOAD_CURVE_PERCENTS) {
                    curve.add(curveStep(percent, "", writes.best().load(), writers, rawClients, s));
                    if (percent == HALF_RATE_PERCENT) {
                        // the step the p99 target reads, twice more: one stall of either side must not decide it. Right
                        // away, before the steps above it: after the 100 % step, which an open loop can overload, both
                        // sides once started with a backlog (p99 362 ms for Fulcrum and 338 ms for the raw queue)
                        for (int i = 1; i <= HALF_RATE_REPEATS; i++) {
                            halfRateRepeats.add(curveStep(HALF_RATE_PERCENT, " again", writes.best().load(), writers, rawClients, s));
                        }
                    }
                }
            }
            // the planets are written at the concurrency of Fulcrum's max rate
            sizes.addAll(PlanetCurve.run(s, c, jit, writes.best().inFlightPerClient(), warmups));
        }
        Map<String, Object> restart = s.restartCities() == 0 ? Map.of()
                : RestartMeasure.run(root, dir.resolve("restart"), s.restartCities(), s.heap(), null);
        Map<String, Object> merge = s.mergeOperations() == 0 ? Map.of()
                : MergeMeasure.run(root, dir.resolve("merge"), s.mergeOperations(), s.mergeTimeout(), s.heap(), null);
        return new RunResults(machine, s.describe(), raw, writes, queries, curve, sizes, restart, merge, warmups, halfRateRepeats);
    }

    /** The writes the clients of {@code writers} sent to replicas so far, and in how many messages. */
    private static WriteBatching batching(Clients writers) {
        long messages = 0;
        long writes = 0;
        for (Endpoint e : writers.list()) {
            WriteBatching b = ((DirectWriteEndpoint) e).batching();
            messages += b.messages();
            writes += b.writes();
        }
        return new WriteBatching(messages, writes);
    }

    /** How the writes of one rung travelled: messages to replicas, writes, writes per message. */
    private static MaxRateLadder.Probe<WriteBatching> batchingProbe(Clients writers) {
        return new MaxRateLadder.Probe<>() {
            @Override
            public WriteBatching before() {
                return batching(writers);
            }

            @Override
            public Map<String, ?> since(WriteBatching before) {
                WriteBatching after = batching(writers);
                WriteBatching phase = new WriteBatching(after.messages() - before.messages(), after.writes() - before.writes());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("messages_to_replicas", phase.messages());
                m.put("writes_sent", phase.writes());
                m.put("writes_per_message", Math.round(phase.writesPerMessage() * 100) / 100.0);
                System.out.printf("  (%,d writes sent in %,d messages to replicas: %.1f per message)%n", phase.writes(),
                        phase.messages(), phase.writesPerMessage());
                return m;
            }
        };
    }

    /** Starts the three workers (two join from fulcrum-1, whose store was built offline) and the router. */
    private static void startServing(BenchCluster c) throws Exception {
        c.startWorker("fulcrum-1");
        c.awaitServing("fulcrum-1", Duration.ofMinutes(5));
        c.startWorker("fulcrum-2");
        c.startWorker("fulcrum-3");
        c.awaitServing("fulcrum-2", Duration.ofMinutes(20));
        c.awaitServing("fulcrum-3", Duration.ofMinutes(20));
        c.startRouter();
        System.out.println("cluster serving: 3 replicas (two joined from fulcrum-1), router started");
    }

    /**
     * {@code --only planets}: the planet-size curve alone, on a cluster holding only those planets,
     * at the most requests in flight of {@code --in-flight}; its result in {@code planets.json}.
     */
    private Integer measurePlanetsOnly(RunSettings s, Path dir, Path jfr, Map<String, Object> machine) throws Exception {
        Map<String, Integer> planetsToBuild = PlanetCurve.planets(s.planetSizes());
        Path cluster = dir.resolve("cluster");
        System.out.printf("building fulcrum-1's store offline: planets of %s cities%n", s.planetSizes());
        StoreBuilder.build(cluster.resolve("data").resolve("fulcrum-1"), "fulcrum-1", REPLICAS, planetsToBuild);
        Map<String, Object> warmups = new LinkedHashMap<>();
        List<PlanetStep> steps;
        try (BenchCluster c = new BenchCluster(root, cluster, List.of("-Xmx" + s.heap()), jfr)) {
            machine.put("rabbitmq", c.brokerVersion());
            startServing(c);
            steps = PlanetCurve.run(s, c, JitActivity.of(c), s.heaviestInFlight(), warmups);
        }
        double ratio = PlanetStep.sizeRatio(steps);
        System.out.printf("planet size ratio (largest ÷ smallest, the means of their steps): %.2f%n", ratio);
        Map<String, Object> planets = new LinkedHashMap<>();
        planets.put("planet_size_ratio", Double.isFinite(ratio) ? ratio : null);
        planets.put("in_flight_per_client", s.heaviestInFlight());
        planets.put("planet_size_curve", steps.stream().map(PlanetStep::load).toList());
        planets.put("planet_size_cpu", steps.stream().map(PlanetStep::describe).toList());
        planets.put("warmups", warmups);
        return writePart(dir, PLANETS_JSON, "planets", planets, s, machine);
    }

    /** {@code --only merge}: the merge phase alone, its result in {@code merge.json}. */
    private Integer measureMergeOnly(RunSettings s, Path dir, Path jfr, Map<String, Object> machine) throws Exception {
        Map<String, Object> merge = MergeMeasure.run(root, dir.resolve("merge"), s.mergeOperations(), s.mergeTimeout(), s.heap(), jfr);
        return writePart(dir, MERGE_JSON, "merge", merge, s, machine);
    }

    /** {@code --only apply}: a replica's own cost per peer entry, in-process, its result in {@code apply.json}. */
    private static Integer measureApplyOnly(RunSettings s, Path dir, Map<String, Object> machine) throws Exception {
        Map<String, Object> apply = ApplyMeasure.run(dir.resolve("apply"), s.applyEntries(), RunSettings.APPLY_ROUNDS);
        return writePart(dir, APPLY_JSON, "apply", apply, s, machine);
    }

    /** The report of one part alone: the machine, the parameters and the part's results. */
    private static Integer writePart(Path dir, String file, String part, Map<String, Object> results, RunSettings s,
                                     Map<String, Object> machine) throws java.io.IOException {
        machine.put("load_average_at_end", Machine.loadAverage());
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("machine", machine);
        report.put("parameters", s.describe());
        report.put(part, results);
        com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).build()
                .writeValue(dir.resolve(file).toFile(), report);
        System.out.println("written: " + dir.resolve(file));
        return 0;
    }

    /** The report of {@code --only merge}. */
    static final String MERGE_JSON = "merge.json";
    /** The report of {@code --only planets}. */
    static final String PLANETS_JSON = "planets.json";
    /** The report of {@code --only apply}. */
    static final String APPLY_JSON = "apply.json";

    static final int HALF_RATE_PERCENT = 50;
    /** How many more times the 50 % step runs after the curve (see {@link RunResults#p99LatencyRatio()}). */
    static final int HALF_RATE_REPEATS = 2;

    /** A warm-up past {@code --warmup} goes on in windows this long... */
    static final Duration WARMUP_WINDOW = Duration.ofSeconds(10);
    /** ...until, in one, no JVM's JIT compilers used this share of a core. */
    static final double JIT_QUIET_CORES = 0.05;

    /**
     * Warms one load up right before it is measured: a warm-up long before (another load between)
     * left the workers' C2 compilers recompiling the write path during the measured phase, code the
     * other load's different paths had deoptimised. After {@code --warmup} the load goes on in
     * {@link #WARMUP_WINDOW}s until the compilers are quiet ({@link #JIT_QUIET_CORES}) or
     * {@code --warmup-max} has passed; where /proc cannot tell, after {@code --warmup}.
     *
     * @return how long it warmed up, and how busy the compilers were in its last window
     */
    private static Map<String, Object> warm(RunSettings s, Clients load, JitActivity jit) throws IOException, InterruptedException {
        return warm(s, load, jit, s.heaviestInFlight());
    }

    static Map<String, Object> warm(RunSettings s, Clients load, JitActivity jit, int inFlight) throws IOException, InterruptedException {
        Map<String, Object> out = new LinkedHashMap<>();
        if (s.warmup().isZero()) {
            out.put("seconds", 0.0);
            return out;
        }
        long start = System.nanoTime();
        ClosedLoopLoad.run("warm-up", load.list(), inFlight, nanos(s.warmup()));
        double busiest = Double.NaN;
        boolean quiet = false;
        while (System.nanoTime() - start + nanos(WARMUP_WINDOW) <= nanos(s.warmupMax())) {
            Map<Long, Double> before = jit.read();
            long windowStart = System.nanoTime();
            ClosedLoopLoad.run("warm-up", load.list(), inFlight, nanos(WARMUP_WINDOW));
            busiest = JitActivity.busiestCores(before, jit.read(), (System.nanoTime() - windowStart) / 1e9);
            quiet = busiest < JIT_QUIET_CORES;
            if (quiet || Double.isNaN(busiest)) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.put("seconds", Math.round(seconds * 10) / 10.0);
        if (!Double.isNaN(busiest)) {
            out.put("jit_busiest_cores_last_window", Math.round(busiest * 1000) / 1000.0);
            out.put("jit_quiet", quiet);
        }
        System.out.printf("  (warmed up %.0f s%s)%n", seconds, Double.isNaN(busiest) ? ""
                : String.format(", JIT compilers %s: the busiest JVM's %.2f cores in the last %d s", quiet ? "quiet" : "STILL BUSY",
                busiest, WARMUP_WINDOW.toSeconds()));
        return out;
    }

    /** One open-loop step: {@code percent} of the max write rate offered to Fulcrum, then to the raw queue. */
    private static LoadCurvePoint curveStep(int percent, String nameSuffix, LoadResult writesMax, Clients writers, Clients raw,
                                            RunSettings s) throws IOException, InterruptedException {
        double rate = Math.max(1, writesMax.throughput() * percent / 100.0);
        LoadResult f = report(OpenLoopLoad.run("Fulcrum writes " + percent + "%" + nameSuffix, writers.list(), rate,
                nanos(s.stepDuration())));
        LoadResult r = report(OpenLoopLoad.run("raw " + percent + "%" + nameSuffix, raw.list(), rate, nanos(s.stepDuration())));
        return new LoadCurvePoint(percent, rate, f, r);
    }

    private static long nanos(Duration d) {
        return d.toNanos();
    }

    static LoadResult report(LoadResult l) {
        System.out.printf("  %-28s %,9.0f/s  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  max %7.2f ms%s%n", l.name(), l.throughput(),
                l.latency().p50Millis(), l.latency().p99Millis(), l.latency().p999Millis(), l.latency().maxMillis(),
                l.failed() > 0 ? String.format("  (%,d failed %s; the first: %s)", l.failed(), l.failuresByKind(), l.firstFailure()) : "");
        return l;
    }

    private static Map<String, double[]> cpu(BenchCluster c) {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("mos-eisley", ProcessStats.cpuSeconds(c.pid("mos-eisley")));
        for (String name : REPLICAS) {
            m.put(name, ProcessStats.cpuSeconds(c.pid(name)));
        }
        m.put("rabbitmq", ProcessStats.cpuSeconds(c.brokerPid()));
        m.put("bench-clients", ProcessStats.cpuSeconds(ProcessHandle.current().pid()));
        return m;
    }
}
