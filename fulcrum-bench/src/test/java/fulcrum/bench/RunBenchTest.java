package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import fulcrum.testkit.PrivateRabbitNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * One tiny {@code bench run} end to end, on a private RabbitMQ node and real workers and router
 * started from their jars: the report files exist, parse and hold positive throughputs. It checks
 * that the bench works, never how fast anything is.
 */
class RunBenchTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path out;

    /** A private node and the worker and router jars: what a run's own cluster needs. */
    private static void assumeAClusterCanStart() {
        assumeTrue(PrivateRabbitNode.isInstalled(), "needs rabbitmq-server installed (the bench starts a private node)");
        for (String module : List.of("fulcrum-worker", "broker-router")) {
            assumeTrue(Files.isRegularFile(ROOT.resolve(module).resolve("target").resolve(module + ".jar")),
                    "needs the " + module + " jar (built before fulcrum-bench in the reactor)");
        }
    }

    @Test
    void aTinyRunWritesItsReportCsvAndCharts() throws Exception {
        assumeAClusterCanStart();
        int exit = BenchMain.commandLine().execute("run", "--duration", "2s", "--step-duration", "1s", "--warmup", "1s",
                "--clients", "2", "--in-flight", "4,8", "--planets", "2", "--cities-per-planet", "20", "--planet-sizes", "10,100",
                "--merge-ops", "300", "--merge-timeout", "2m", "--restart-cities", "500", "--root", ROOT.toString(),
                "--out", out.toString());
        assertThat(exit).isZero();

        JsonNode report = JsonMapper.builder().build().readTree(out.resolve("report.json").toFile());
        for (String load : List.of("raw_max", "fulcrum_writes_max", "fulcrum_queries_max")) {
            assertThat(report.get(load).get("throughput").asDouble()).as(load).isPositive();
            assertThat(report.get(load).get("latency").get("p99Millis").asDouble()).as(load).isPositive();
        }
        for (String load : List.of("raw", "fulcrum_writes", "fulcrum_queries")) {
            assertThat(report.get("max_rate_by_in_flight").get(load)).as(load).hasSize(2);
        }
        assertThat(report.get("throughput_ratio").asDouble()).isPositive();
        assertThat(report.get("p99_latency_ratio").asDouble()).isPositive();
        assertThat(report.get("load_curve")).hasSize(5);
        for (JsonNode step : report.get("load_curve")) {
            assertThat(step.get("fulcrum").get("completed").asLong()).isPositive();
            assertThat(step.get("raw").get("completed").asLong()).isPositive();
        }
        // up the two sizes and down again
        assertThat(report.get("planet_size_curve")).extracting(step -> step.get("name").asText()).containsExactly(
                "a planet of 10 cities", "a planet of 100 cities", "a planet of 100 cities, again", "a planet of 10 cities, again");
        assertThat(report.get("planet_size_ratio").asDouble()).isPositive();
        assertThat(report.get("merge").get("converged").asBoolean()).isTrue();
        assertThat(report.get("merge").get("merge_seconds").asDouble()).isPositive();
        assertThat(report.get("restart_and_memory").get("restart_to_serving_seconds").asDouble()).isPositive();
        assertThat(report.get("restart_and_memory").get("live_heap_bytes").asLong()).isPositive();
        assertThat(report.get("targets")).hasSize(6);
        for (String file : List.of("measurements.csv", "load-curve.csv", "throughput-over-time.csv", "latency-distribution.csv",
                "max-rate-by-in-flight.csv")) {
            assertThat(Files.readAllLines(out.resolve(file))).as(file).hasSizeGreaterThan(1);
        }
        for (String png : List.of("throughput-over-time.png", "latency-distribution.png", "load-curve.png")) {
            assertThat(Files.size(out.resolve(png))).as(png).isPositive();
        }
    }

    @Test
    void onlyMergeMeasuresTheMergeAloneIntoMergeJson() throws Exception {
        assumeTrue(PrivateRabbitNode.isInstalled(), "needs rabbitmq-server installed (the bench starts a private node)");
        assumeTrue(Files.isRegularFile(ROOT.resolve("fulcrum-worker").resolve("target").resolve("fulcrum-worker.jar")),
                "needs the fulcrum-worker jar (built before fulcrum-bench in the reactor)");
        int exit = BenchMain.commandLine().execute("run", "--only", "merge", "--merge-ops", "3000", "--merge-timeout", "2m",
                "--root", ROOT.toString(), "--out", out.toString());
        assertThat(exit).isZero();

        JsonNode report = JsonMapper.builder().build().readTree(out.resolve(RunBench.MERGE_JSON).toFile());
        assertThat(report.get("parameters").get("only").asText()).isEqualTo("merge");
        assertThat(report.get("merge").get("converged").asBoolean()).isTrue();
        assertThat(report.get("merge").get("peer_entries_applied").asLong()).isEqualTo(6_000);
        double allServe = report.get("merge").get("seconds_until_all_serve").asDouble();
        assertThat(allServe).as("the three workers' start, apart from the merge").isPositive()
                .isLessThanOrEqualTo(report.get("merge").get("merge_seconds").asDouble());
        assertThat(report.get("merge").get("merge_seconds_after_all_serve").asDouble())
                .isCloseTo(report.get("merge").get("merge_seconds").asDouble() - allServe, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(out.resolve("report.json")).doesNotExist();
        assertThat(out.resolve("cluster")).doesNotExist(); // no load phases ran
    }

    @Test
    void onlyPlanetsMeasuresTheCurveUpAndDownAloneIntoPlanetsJson() throws Exception {
        assumeAClusterCanStart();
        int exit = BenchMain.commandLine().execute("run", "--only", "planets", "--planet-sizes", "10,100", "--step-duration", "1s",
                "--warmup", "1s", "--in-flight", "2,4", "--root", ROOT.toString(), "--out", out.toString());
        assertThat(exit).isZero();

        JsonNode report = JsonMapper.builder().build().readTree(out.resolve(RunBench.PLANETS_JSON).toFile());
        assertThat(report.get("parameters").get("only").asText()).isEqualTo("planets");
        JsonNode planets = report.get("planets");
        assertThat(planets.get("in_flight_per_client").asInt()).isEqualTo(4); // the most of --in-flight
        assertThat(planets.get("planet_size_curve")).extracting(step -> step.get("name").asText()).containsExactly(
                "a planet of 10 cities", "a planet of 100 cities", "a planet of 100 cities, again", "a planet of 10 cities, again");
        for (JsonNode step : planets.get("planet_size_curve")) {
            assertThat(step.get("throughput").asDouble()).as(step.get("name").asText()).isPositive();
        }
        assertThat(planets.get("planet_size_ratio").asDouble()).isPositive();
        assertThat(planets.get("warmups")).hasSize(2); // each planet the first time only
        assertThat(planets.get("planet_size_cpu")).hasSize(4);
        for (JsonNode step : planets.get("planet_size_cpu")) { // read from /proc: the workers' own threads, the GC, RocksDB's
            assertThat(step.get("worker_cpu_cores_by_thread_group").get("other_threads").asDouble()).as(step.get("name").asText())
                    .isGreaterThanOrEqualTo(0);
            assertThat(step.get("worker_cpu_ms_per_write_by_thread_group").has("rocksdb_background")).isTrue();
        }
        assertThat(out.resolve("report.json")).doesNotExist();
        assertThat(out.resolve("merge")).doesNotExist();
    }

    /** In-process, no broker: real node, real RocksDB stores, every round counted only when all entries are applied. */
    @Test
    void onlyApplyMeasuresAReplicasOwnCostPerEntryIntoApplyJson() throws Exception {
        int exit = BenchMain.commandLine().execute("run", "--only", "apply", "--merge-ops", "3000", "--out", out.toString());
        assertThat(exit).isZero();

        JsonNode report = JsonMapper.builder().build().readTree(out.resolve(RunBench.APPLY_JSON).toFile());
        assertThat(report.get("parameters").get("only").asText()).isEqualTo("apply");
        JsonNode apply = report.get("apply");
        assertThat(apply.get("entries").asLong()).isEqualTo(1_000);
        assertThat(apply.get("deltas").asInt()).isEqualTo(2); // 500 entries a delta
        assertThat(apply.get("rounds")).hasSize(RunSettings.APPLY_ROUNDS);
        for (JsonNode round : apply.get("rounds")) {
            assertThat(round.get("wall_us_per_entry").asDouble()).isPositive();
            assertThat(round.get("thread_cpu_us_per_entry").asDouble()).isPositive();
        }
        assertThat(out.resolve("report.json")).doesNotExist();
        assertThat(out.resolve("cluster")).doesNotExist();
    }

    @Test
    void badOptionsAreRefusedWithAMessageAndExitCode2() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cli = BenchMain.commandLine();
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("run", "--clients", "0", "--out", out.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--clients must be at least 1, got 0").doesNotContain("Exception");

        StringWriter err2 = new StringWriter();
        CommandLine cli2 = BenchMain.commandLine();
        cli2.setErr(new PrintWriter(err2));
        assertThat(cli2.execute("run", "--duration", "soon")).isEqualTo(2);
        assertThat(err2.toString()).contains("'soon' is not a duration");

        StringWriter err3 = new StringWriter();
        CommandLine cli3 = BenchMain.commandLine();
        cli3.setErr(new PrintWriter(err3));
        assertThat(cli3.execute("run", "--only", "writes")).isEqualTo(2);
        assertThat(err3.toString()).contains("--only").doesNotContain("Exception");

        StringWriter err4 = new StringWriter();
        CommandLine cli4 = BenchMain.commandLine();
        cli4.setErr(new PrintWriter(err4));
        assertThat(cli4.execute("run", "--only", "apply", "--merge-ops", "0")).isEqualTo(2);
        assertThat(err4.toString()).contains("--only apply needs --merge-ops").doesNotContain("Exception");

        StringWriter err5 = new StringWriter();
        CommandLine cli5 = BenchMain.commandLine();
        cli5.setErr(new PrintWriter(err5));
        java.nio.file.Files.writeString(out.resolve("apply.json"), "{}");
        assertThat(cli5.execute("run", "--only", "apply", "--merge-ops", "3000", "--out", out.toString())).isEqualTo(2);
        assertThat(err5.toString()).contains("--out " + out + " is not empty").doesNotContain("Exception");
        assertThat(out.resolve("fulcrum-1")).as("nothing built").doesNotExist();
    }
}
