package fulcrum.bench;

import fulcrum.common.client.FulcrumClient;
import fulcrum.core.node.BatchedCommand;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one {@code bench run}, after the defaults: the full run's, or with
 * {@code --quick} a run of a few minutes (shorter phases, smaller planets, a merge of 30,000
 * operations, a restart with 100,000 cities). An option given explicitly wins over both.
 */
record RunSettings(Duration duration, Duration stepDuration, Duration warmup, int clients, List<Integer> inFlightLevels, int planets,
                   int citiesPerPlanet, List<Integer> planetSizes, long mergeOperations, Duration mergeTimeout,
                   int restartCities, String heap, Part only, int writeBatch, Duration warmupMax) {
    /**
     * How long a full run warms a load up at most ({@code --warmup-max}): past {@code --warmup}, the
     * load goes on until the JIT compilers are quiet (see {@code RunBench.warm}). On a loaded 2-core
     * machine the workers' C2 compilers were still taking a fifth of a core each 60 s into the write
     * load, and quiet after about 90 s.
     */
    static final Duration FULL_WARMUP_MAX = Duration.ofMinutes(5);

    /**
     * The closed-loop phases' requests in flight per client, each load measured at each
     * ({@link MaxRateLadder}): at 2 × 64 Fulcrum's writes waited on their own latency with a fifth
     * of the cores idle; the raw queue peaked at 256 on this 2-core machine, Fulcrum's writes, whose
     * batches grow with the requests out, at 1,024 or beyond.
     */
    static final List<Integer> DEFAULT_IN_FLIGHT_LEVELS = List.of(64, 256, 1024);

    static final List<Integer> LOAD_CURVE_PERCENTS = List.of(10, 25, 50, 75, 100);

    /** Which phases a run measures ({@code --only}): a change to one part is measured without the rest. */
    enum Part {
        /** Every phase, as README "Benchmark" lists them. */
        all,
        /** Only the merge (phase 6), on its cluster of its own. */
        merge,
        /**
         * Only a replica's own cost per peer entry, in-process: one replica's share of the merge's
         * operations, applied {@link #APPLY_ROUNDS} times without a broker ({@code ApplyMeasure}).
         */
        apply,
        /**
         * Only the planet-size curve (phase 4), on a cluster of its own holding only those planets,
         * at the most requests in flight of {@code --in-flight} (there is no max-rate phase to pick from).
         */
        planets;

        /** Measures a merge, or a replica's share of one: needs {@code --merge-ops}. */
        boolean needsMergeOperations() {
            return this == merge || this == apply;
        }
    }

    /** Rounds of {@code --only apply}: the first ones warm the code up. */
    static final int APPLY_ROUNDS = 5;

    /** Null arguments take the full or quick default. */
    static RunSettings resolve(boolean quick, Duration duration, Duration stepDuration, Duration warmup, Integer clients,
                               List<Integer> inFlight, Integer planets, Integer citiesPerPlanet, List<Integer> planetSizes,
                               Long mergeOperations, Duration mergeTimeout, Integer restartCities, String heap) {
        return resolve(quick, duration, stepDuration, warmup, clients, inFlight, planets, citiesPerPlanet, planetSizes,
                mergeOperations, mergeTimeout, restartCities, heap, null);
    }

    /** As above, with the part of the run to measure (null: all of it). */
    static RunSettings resolve(boolean quick, Duration duration, Duration stepDuration, Duration warmup, Integer clients,
                               List<Integer> inFlight, Integer planets, Integer citiesPerPlanet, List<Integer> planetSizes,
                               Long mergeOperations, Duration mergeTimeout, Integer restartCities, String heap, Part only) {
        RunSettings s = new RunSettings(
                or(duration, quick ? Duration.ofSeconds(5) : Duration.ofSeconds(30)),
                or(stepDuration, quick ? Duration.ofSeconds(3) : Duration.ofSeconds(10)),
                or(warmup, quick ? Duration.ofSeconds(2) : Duration.ofSeconds(60)),
                or(clients, 2), or(inFlight, DEFAULT_IN_FLIGHT_LEVELS), or(planets, 10), or(citiesPerPlanet, 1_000),
                or(planetSizes, quick ? List.of(100, 1_000, 10_000) : List.of(100, 10_000, 100_000)),
                or(mergeOperations, quick ? 30_000L : 1_000_000L), or(mergeTimeout, quick ? Duration.ofMinutes(2) : Duration.ofMinutes(10)),
                or(restartCities, quick ? 100_000 : 1_000_000), or(heap, "256m"), or(only, Part.all),
                FulcrumClient.DEFAULT_WRITE_BATCH_MAX, null);
        // a --warmup given, or --quick, is taken as it is: extended only when --warmup-max says so
        s = s.withWarmupMax(quick || warmup != null ? s.warmup : max(s.warmup, FULL_WARMUP_MAX));
        s.check();
        return s;
    }

    /** With {@code --write-batch} (null: the client's default): writes per message to a replica at most. */
    RunSettings withWriteBatch(Integer writeBatch) {
        if (writeBatch == null) {
            return this;
        }
        if (writeBatch < 1 || writeBatch > BatchedCommand.MAX_PER_BATCH) {
            throw new IllegalArgumentException("--write-batch must be 1.." + BatchedCommand.MAX_PER_BATCH + ", got " + writeBatch);
        }
        return new RunSettings(duration, stepDuration, warmup, clients, inFlightLevels, planets, citiesPerPlanet, planetSizes,
                mergeOperations, mergeTimeout, restartCities, heap, only, writeBatch, warmupMax);
    }

    /**
     * With {@code --warmup-max} (null: unchanged): a load's warm-up goes on past {@code --warmup}
     * while the JIT compilers are busy, this long at most; equal to {@code --warmup}, it never does.
     */
    RunSettings withWarmupMax(Duration max) {
        if (max == null) {
            return this;
        }
        if (max.compareTo(warmup) < 0) {
            throw new IllegalArgumentException("--warmup-max must be at least --warmup (" + warmup.toSeconds() + " s), got "
                    + max.toSeconds() + " s");
        }
        return new RunSettings(duration, stepDuration, warmup, clients, inFlightLevels, planets, citiesPerPlanet, planetSizes,
                mergeOperations, mergeTimeout, restartCities, heap, only, writeBatch, max);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static <T> T or(T given, T otherwise) {
        return given != null ? given : otherwise;
    }

    private void check() {
        positive("--duration", duration);
        positive("--step-duration", stepDuration);
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        atLeast("--clients", clients, 1);
        positiveCounts(inFlightLevels, "--in-flight must be positive request counts, e.g. 64 or 64,256,1024");
        atLeast("--planets", planets, 1);
        atLeast("--cities-per-planet", citiesPerPlanet, 1);
        positiveCounts(planetSizes, "--planet-sizes must be positive city counts, e.g. 100,10000,100000");
        if (mergeOperations < 0 || (mergeOperations > 0 && mergeOperations < 3)) {
            throw new IllegalArgumentException("--merge-ops must be 0 (skip the merge) or at least 3, got " + mergeOperations);
        }
        if (mergeOperations > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--merge-ops must be at most " + Integer.MAX_VALUE);
        }
        positive("--merge-timeout", mergeTimeout);
        if (only.needsMergeOperations() && mergeOperations == 0) {
            throw new IllegalArgumentException("--only " + only + " needs --merge-ops of at least 3, got 0");
        }
        if (restartCities < 0) {
            throw new IllegalArgumentException("--restart-cities must be 0 (skip the restart) or more, got " + restartCities);
        }
        if (!heap.matches("[1-9][0-9]*[kmgKMG]?")) {
            throw new IllegalArgumentException("--heap must be a JVM heap size like 256m or 1g, got '" + heap + "'");
        }
    }

    private static void positiveCounts(List<Integer> counts, String refusal) {
        if (counts.isEmpty() || counts.stream().anyMatch(n -> n == null || n < 1)) {
            throw new IllegalArgumentException(refusal);
        }
    }

    private static void positive(String option, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(option + " must be longer than zero");
        }
    }

    private static void atLeast(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        }
    }

    /** The warm-ups' requests in flight per client: the most of {@link #inFlightLevels}, the load that batches most. */
    int heaviestInFlight() {
        return inFlightLevels.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    /** What {@code --only apply} applies: one replica's share of the merge's operations. */
    int applyEntries() {
        return (int) ((mergeOperations + 2) / 3);
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("duration_seconds", duration.toMillis() / 1000.0);
        m.put("step_duration_seconds", stepDuration.toMillis() / 1000.0);
        m.put("warmup_seconds", warmup.toMillis() / 1000.0);
        m.put("warmup_max_seconds", warmupMax.toMillis() / 1000.0);
        m.put("clients", clients);
        m.put("in_flight_per_client", inFlightLevels);
        m.put("write_batch_max", writeBatch);
        m.put("planets", planets);
        m.put("cities_per_planet", citiesPerPlanet);
        m.put("planet_sizes", planetSizes);
        m.put("load_curve_percents", LOAD_CURVE_PERCENTS);
        m.put("merge_operations", mergeOperations);
        m.put("merge_timeout_seconds", mergeTimeout.toSeconds());
        m.put("restart_cities", restartCities);
        m.put("worker_heap", heap);
        m.put("only", only.name());
        return m;
    }
}
