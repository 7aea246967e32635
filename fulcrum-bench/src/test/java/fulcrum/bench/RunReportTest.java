package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report writer on made-up results: the ratios, the targets, and every file it promises. */
class RunReportTest {
    @TempDir
    Path dir;

    private static LoadResult load(String name, double rate, long answered, long p99Micros) {
        Histogram h = new Histogram(3);
        for (int i = 0; i < 99; i++) {
            h.recordValue(p99Micros / 2);
        }
        h.recordValue(p99Micros);
        return LoadResult.of(name, rate, 10, answered, 0, Map.of(), null, h, new long[] {answered / 2, answered / 2});
    }

    static RunResults results() {
        return results(List.of());
    }

    static RunResults results(List<LoadCurvePoint> halfRateRepeats) {
        List<LoadCurvePoint> curve = new ArrayList<>();
        for (int percent : RunSettings.LOAD_CURVE_PERCENTS) {
            double rate = 1000 * percent / 100.0;
            curve.add(new LoadCurvePoint(percent, rate, load("Fulcrum writes " + percent + "%", rate, (long) rate * 10, 6_000),
                    load("raw " + percent + "%", rate, (long) rate * 10, 2_000)));
        }
        Map<String, Object> restart = new LinkedHashMap<>(Map.of("cities", 1_000_000, "restart_to_serving_seconds", 1.5,
                "live_heap_bytes", 8L << 20, "rss_bytes", 200L << 20));
        Map<String, Object> merge = new LinkedHashMap<>(Map.of("operations", 1_000_000L, "converged", true, "merge_seconds", 12.0,
                "seconds_waited", 12.0, "peer_entries_to_apply", 2_000_000L, "peer_entries_applied", 2_000_000L,
                "entries_applied_per_second", 166_666.0));
        MaxRateLadder writes = new MaxRateLadder(List.of(new MaxRateLadder.Rung(64, load("Fulcrum writes max", 0, 10_000, 90_000),
                Map.of("fulcrum-1", Map.of("user_seconds", 3.0, "system_seconds", 1.0, "cores_used", 0.4),
                        "mos-eisley", Map.of("user_seconds", 0.5, "system_seconds", 0.0, "cores_used", 0.05)),
                Map.of("messages_to_replicas", 1_000L, "writes_sent", 10_000L, "writes_per_message", 10.0))));
        return new RunResults(new LinkedHashMap<>(Map.of("cores", 2)), Map.of("clients", 2), single(load("raw max", 0, 40_000, 9_000)),
                writes, single(load("Fulcrum queries max", 0, 20_000, 50_000)), curve,
                List.of(new PlanetStep(100, load("a planet of 100 cities", 0, 10_000, 1)),
                        new PlanetStep(100_000, load("a planet of 100,000 cities", 0, 9_000, 1))), restart, merge,
                Map.of("Fulcrum writes max", Map.of("seconds", 90.0, "jit_busiest_cores_last_window", 0.03, "jit_quiet", true)),
                halfRateRepeats);
    }

    static MaxRateLadder single(LoadResult load) {
        return new MaxRateLadder(List.of(new MaxRateLadder.Rung(64, load, Map.of(), Map.of())));
    }

    @Test
    void theRatiosComeFromTheMaxRatesAndTheHalfRateStep() {
        RunResults r = results();
        assertThat(r.throughputRatio()).isEqualTo(0.25); // 1,000/s ÷ 4,000/s
        assertThat(r.p99LatencyRatio()).isEqualTo(3.0, org.assertj.core.data.Offset.offset(0.01)); // 6 ms ÷ 2 ms at 50 %
        assertThat(r.planetSizeRatio()).isEqualTo(0.9);
        assertThat(r.workerHeapMiB()).isEqualTo(8.0);
        // fulcrum-1 used 3 + 1 s of CPU and the router 0.5 s while 10,000 writes were answered
        assertThat(r.cpuMillisPerWrite()).containsEntry("fulcrum-1", 0.4).containsEntry("mos-eisley", 0.05)
                .containsEntry("workers", 0.4);
    }

    @Test
    void thePlanetSizeRatioComparesTheMeansOfEachSizesStepsSoADriftWeighsOnBothSides() {
        // up the sizes and down again while the machine slows by 2,000 writes/s a step: 10,000 / 9,000 / 7,000 / 8,000
        // (the first and last step alone, 8,000 / 10,000 = 0.8, would blame the drift on the large planet)
        RunResults r = withPlanetSteps(results(), List.of(new PlanetStep(100, load("a planet of 100 cities", 0, 100_000, 1)),
                new PlanetStep(100_000, load("a planet of 100,000 cities", 0, 90_000, 1)),
                new PlanetStep(100_000, load("a planet of 100,000 cities, again", 0, 70_000, 1)),
                new PlanetStep(100, load("a planet of 100 cities, again", 0, 80_000, 1))));

        assertThat(r.planetSizeRatio()).isEqualTo(8_000.0 / 9_000.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.planetSizes()).extracting(LoadResult::name).containsExactly("a planet of 100 cities",
                "a planet of 100,000 cities", "a planet of 100,000 cities, again", "a planet of 100 cities, again");
    }

    @Test
    void thePlanetSizeRatioIsUndefinedWithOneSize() {
        RunResults r = withPlanetSteps(results(), List.of(new PlanetStep(100, load("a planet of 100 cities", 0, 100_000, 1)),
                new PlanetStep(100, load("a planet of 100 cities, again", 0, 90_000, 1))));

        assertThat(r.planetSizeRatio()).isNaN();
    }

    @Test
    void eachPlanetStepSaysWhereTheWorkersCpuWentInCoresAndPerWrite() throws Exception {
        // a 10 s step of 100,000 writes: the workers' own threads 8 s (0.8 cores, 0.08 ms a write), GC 1.5 s (0.15 cores)
        Map<String, Double> before = Map.of("other_threads", 100.0, "garbage_collector", 2.0);
        Map<String, Double> after = Map.of("other_threads", 108.0, "garbage_collector", 3.5);
        PlanetStep large = new PlanetStep(100_000, load("a planet of 100,000 cities", 0, 100_000, 1), PlanetStep.cpuBetween(before, after));
        PlanetStep unmeasured = new PlanetStep(100, load("a planet of 100 cities", 0, 150_000, 1));
        RunReport.write(dir, withPlanetSteps(results(), List.of(unmeasured, large)));

        JsonNode cpu = JsonMapper.builder().build().readTree(dir.resolve("report.json").toFile()).get("planet_size_cpu");
        assertThat(cpu).hasSize(2);
        assertThat(cpu.get(0).get("worker_cpu_cores_by_thread_group")).isEmpty();
        JsonNode step = cpu.get(1);
        assertThat(step.get("name").asText()).isEqualTo("a planet of 100,000 cities");
        assertThat(step.get("cities").asInt()).isEqualTo(100_000);
        assertThat(step.get("writes_per_second").asLong()).isEqualTo(10_000);
        assertThat(step.get("worker_cpu_cores_by_thread_group").get("other_threads").asDouble()).isEqualTo(0.8);
        assertThat(step.get("worker_cpu_cores_by_thread_group").get("garbage_collector").asDouble()).isEqualTo(0.15);
        assertThat(step.get("worker_cpu_ms_per_write_by_thread_group").get("other_threads").asDouble()).isEqualTo(0.08);
        assertThat(step.get("worker_cpu_ms_per_write_by_thread_group").get("garbage_collector").asDouble()).isEqualTo(0.015);
    }

    @Test
    void aStepsCpuIsUnknownWhenEitherReadingIs() {
        assertThat(PlanetStep.cpuBetween(Map.of(), Map.of("other_threads", 1.0))).isEmpty();
        assertThat(PlanetStep.cpuBetween(Map.of("other_threads", 1.0), Map.of())).isEmpty();
        assertThat(PlanetStep.cpuBetween(Map.of("other_threads", 1.0), Map.of("other_threads", 1.25))).containsEntry("other_threads", 0.25);
    }

    private static RunResults withPlanetSteps(RunResults base, List<PlanetStep> steps) {
        return new RunResults(base.machine(), base.parameters(), base.raw(), base.writes(), base.queries(), base.loadCurve(),
                steps, base.restart(), base.merge(), base.warmups(), base.halfRateRepeats());
    }

    @Test
    void theP99RatioIsTheRatioOfMediansSoOneStallAtTheHalfStepDoesNotDecideIt() {
        // the curve's 50 % step: Fulcrum 6 ms, raw 2 ms; repeats: a raw stall of 1.6 s, then 8 ms ÷ 2.5 ms
        List<LoadCurvePoint> repeats = List.of(
                new LoadCurvePoint(50, 500, load("Fulcrum writes 50% again", 500, 5_000, 7_000),
                        load("raw 50% again", 500, 5_000, 1_600_000)),
                new LoadCurvePoint(50, 500, load("Fulcrum writes 50% again", 500, 5_000, 8_000),
                        load("raw 50% again", 500, 5_000, 2_500)));
        RunResults r = results(repeats);
        // medians: Fulcrum 7 ms, raw 2.5 ms (a single step's raw p99 of 1.6 s would have made it 0.004)
        assertThat(r.p99LatencyRatio()).isCloseTo(7.0 / 2.5, org.assertj.core.data.Offset.offset(0.05));
        assertThat(RunResults.median(new double[] {3, 1, 2, 10})).isEqualTo(2.5);
    }

    @Test
    void writesJsonWithTheRatiosAndEachTargetAndCsvAndCharts() throws Exception {
        RunReport.write(dir, results());
        JsonNode json = JsonMapper.builder().build().readTree(dir.resolve("report.json").toFile());
        assertThat(json.get("throughput_ratio").asDouble()).isEqualTo(0.25);
        assertThat(json.get("p99_latency_ratio").asDouble()).isBetween(2.99, 3.01);
        assertThat(json.get("targets")).hasSize(6);
        for (JsonNode t : json.get("targets")) {
            assertThat(t.has("value") && t.has("met") && t.has("limit")).as(t.toString()).isTrue();
        }
        assertThat(json.get("targets").get(0).get("met").asBoolean()).isFalse(); // 0.25 < 0.5
        assertThat(json.get("fulcrum_writes_max").get("throughput").asDouble()).isEqualTo(1000);
        assertThat(json.get("fulcrum_writes_max").get("latency").get("p99Millis").asDouble()).isPositive();
        assertThat(json.get("fulcrum_writes_max").has("histogram")).isFalse();
        assertThat(json.get("cpu_ms_per_write_during_writes_max").get("workers").asDouble()).isEqualTo(0.4);
        assertThat(json.get("load_curve")).hasSize(5);

        List<String> curve = Files.readAllLines(dir.resolve("load-curve.csv"));
        assertThat(curve).hasSize(6);
        assertThat(curve.get(0)).startsWith("percent_of_max,target_rate,fulcrum_throughput");
        assertThat(Files.readAllLines(dir.resolve("measurements.csv"))).hasSize(1 + 3 + 10 + 2);
        assertThat(Files.readAllLines(dir.resolve("throughput-over-time.csv"))).hasSize(3);
        assertThat(Files.readString(dir.resolve("latency-distribution.csv"))).contains("fulcrum,").contains("raw,");
        for (String png : List.of("throughput-over-time.png", "latency-distribution.png", "load-curve.png")) {
            byte[] bytes = Files.readAllBytes(dir.resolve(png));
            assertThat(bytes).as(png).startsWith(0x89, 'P', 'N', 'G');
        }
    }

    @Test
    void theTableNamesWhichTargetsAreMet() {
        String table = RunTable.of(results());
        assertThat(table).contains("| throughput_ratio: ").contains("**not met**").contains("**met**")
                .contains("merge of 1,000,000 operations across 3 replicas, until converged | 12.0 s");
    }

    @Test
    void eachLoadsMaxIsItsBestInFlightLevelAndTheReportListsEveryLevel() throws Exception {
        // the raw queue peaks at 256 in flight, Fulcrum's writes at 1,024: the ratio compares the two peaks
        MaxRateLadder raw = new MaxRateLadder(List.of(
                new MaxRateLadder.Rung(64, load("raw max (64 in flight)", 0, 400_000, 6_000), Map.of(), Map.of()),
                new MaxRateLadder.Rung(256, load("raw max (256 in flight)", 0, 500_000, 18_000), Map.of(), Map.of()),
                new MaxRateLadder.Rung(1024, load("raw max (1024 in flight)", 0, 450_000, 90_000), Map.of(), Map.of())));
        MaxRateLadder writes = new MaxRateLadder(List.of(
                new MaxRateLadder.Rung(64, load("Fulcrum writes max (64 in flight)", 0, 100_000, 35_000), Map.of(), Map.of()),
                new MaxRateLadder.Rung(256, load("Fulcrum writes max (256 in flight)", 0, 150_000, 75_000), Map.of(), Map.of()),
                new MaxRateLadder.Rung(1024, load("Fulcrum writes max (1024 in flight)", 0, 190_000, 300_000),
                        Map.of("fulcrum-1", Map.of("cores_used", 0.4)), Map.of("writes_per_message", 61.0))));
        RunResults base = results();
        RunResults r = new RunResults(base.machine(), base.parameters(), raw, writes, base.queries(), base.loadCurve(),
                base.planetSteps(), base.restart(), base.merge(), base.warmups(), base.halfRateRepeats());

        assertThat(raw.best().inFlightPerClient()).isEqualTo(256);
        assertThat(writes.best().inFlightPerClient()).isEqualTo(1024);
        assertThat(r.throughputRatio()).isCloseTo(0.38, org.assertj.core.data.Offset.offset(1e-9)); // 19,000/s ÷ 50,000/s
        assertThat(r.writeBatching()).containsEntry("writes_per_message", 61.0);
        assertThat(r.cpuDuringWrites()).containsKey("fulcrum-1");

        RunReport.write(dir, r);
        JsonNode json = JsonMapper.builder().build().readTree(dir.resolve("report.json").toFile());
        assertThat(json.get("max_rate_by_in_flight").get("raw")).hasSize(3);
        assertThat(json.get("max_rate_by_in_flight").get("fulcrum_writes").get(2).get("in_flight_per_client").asInt()).isEqualTo(1024);
        assertThat(Files.readAllLines(dir.resolve("max-rate-by-in-flight.csv"))).hasSize(1 + 3 + 3 + 1);
        assertThat(Files.readAllLines(dir.resolve("measurements.csv"))).hasSize(1 + 3 + 3 + 1 + 10 + 2);
        assertThat(RunTable.of(r)).contains("best at 256 in flight per client").contains("best at 1024 in flight per client")
                .contains("closed loop, 1024 in flight per client: raw / writes / queries");
        assertThatThrownBy(() -> new MaxRateLadder(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
