package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.replica.Planet;
import fulcrum.informant.InformantMain;
import fulcrum.leia.LeiaMain;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import fulcrum.testkit.TestBroker;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code informant --file}: bulk loads through a router and three workers, each a real process. */
class BulkLoadTest {
    @TempDir
    static Path clusterDir;
    @TempDir
    Path tmp;

    private static Cluster cluster;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void startCluster() {
        cluster = new Cluster(TestBroker.freshVirtualHost("bulk"), 3, clusterDir).startAll();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFileOfSeveralHundredCommandsLoadsAndTheStoreHasThem() throws Exception {
        List<String> lines = new ArrayList<>();
        Map<String, Map<String, Long>> expected = new TreeMap<>();
        List<String> planets = List.of("Bulk_Tatooine", "Bulk_Hoth", "Bulk_Endor", "Bulk_Naboo", "Bulk_Bespin");
        for (String planet : planets) {
            Map<String, Long> cities = expected.computeIfAbsent(planet, p -> new TreeMap<>());
            for (int c = 0; c < 40; c++) {
                lines.add("AddCity " + planet + " City_" + c + " " + c);
                cities.put("City_" + c, (long) c);
            }
        }
        // Later lines on the same cities: they must be applied after the AddCity lines above.
        for (String planet : planets) {
            Map<String, Long> cities = expected.get(planet);
            for (int c = 0; c < 10; c++) {
                lines.add("UpdateNumber " + planet + " City_" + c + " " + (1000 + c));
                cities.put("City_" + c, 1000L + c);
            }
            for (int c = 10; c < 15; c++) {
                lines.add("UpdateName " + planet + " City_" + c + " Renamed_" + c);
                lines.add("UpdateNumber " + planet + " Renamed_" + c + " " + (2000 + c));
                cities.remove("City_" + c);
                cities.put("Renamed_" + c, 2000L + c);
            }
            for (int c = 15; c < 20; c++) {
                lines.add("DeleteCity " + planet + " City_" + c);
                cities.remove("City_" + c);
            }
        }
        assertThat(lines).hasSize(325);
        Path file = tmp.resolve("load.txt");
        Files.write(file, lines);

        Run run = informant(null, "--file", file.toString(), "--in-flight", "32");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).hasSize(325).allMatch(line -> line.matches("line \\d+: OK .*"));
        assertThat(run.err()).contains("summary: 325 commands: 325 ok, 0 rejected, 0 unknown; 0 bad line(s) skipped");

        // Each planet's writes went to the replica the session names for it: its store has them all.
        JsonNode session = FulcrumJson.MAPPER.readTree(tmp.resolve("session.json").toFile());
        for (String planet : planets) {
            String replica = session.get(planet).get("replica").asText();
            assertThat(visibleCities(replica, planet)).as(planet + " at " + replica).isEqualTo(expected.get(planet));
        }
        // The session carries on: a later single command reads the bulk run's writes.
        Run read = leia("GetNumberRebelds", "Bulk_Hoth", "Renamed_12");
        assertThat(read.exitCode()).as(read.err()).isZero();
        assertThat(read.out()).startsWith("Bulk_Hoth Renamed_12 2012 ");
    }

    @Test
    void badLinesAreReportedWithTheirNumberAndSkippedAndRejectionsCounted() throws Exception {
        Path file = tmp.resolve("bad.txt");
        Files.writeString(file, String.join("\n",
                "# a seed log with mistakes",
                "AddCity Bad_Dagobah Swamp 3",
                "AddCity Bad_Dagobah Swamp 4",
                "Teleport Bad_Dagobah Swamp",
                "UpdateNumber Bad_Dagobah Swamp lots",
                "UpdateNumber Bad_Dagobah Swamp 9",
                "DeleteCity Bad_Dagobah Cave",
                ""));
        Run run = informant(null, "--file", file.toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).contains("line 4: error: unknown command 'Teleport'")
                .contains("line 5: error: rebels must be a non-negative whole number, got 'lots'")
                .contains("summary: 4 commands: 2 ok, 2 rejected (CITY_ALREADY_EXISTS 1, CITY_NOT_FOUND 1), 0 unknown;"
                        + " 2 bad line(s) skipped")
                .doesNotContain("\tat ");
        assertThat(run.out().lines()).hasSize(4)
                .anyMatch(line -> line.startsWith("line 2: OK AddCity Bad_Dagobah Swamp"))
                .anyMatch(line -> line.startsWith("line 3: REJECTED AddCity Bad_Dagobah Swamp 4: CITY_ALREADY_EXISTS"))
                .anyMatch(line -> line.startsWith("line 6: OK UpdateNumber Bad_Dagobah Swamp"))
                .anyMatch(line -> line.startsWith("line 7: REJECTED DeleteCity Bad_Dagobah Cave: CITY_NOT_FOUND"));
        assertThat(leia("GetNumberRebelds", "Bad_Dagobah", "Swamp").out()).startsWith("Bad_Dagobah Swamp 9 ");
    }

    @Test
    void strictAbortsBeforeAnythingIsSent() throws Exception {
        Path file = tmp.resolve("strict.txt");
        Files.writeString(file, "AddCity Strict_Kamino Tipoca 1\nAddCity Strict_Kamino\n");
        Run run = informant(null, "--file", file.toString(), "--strict");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("line 2: error: AddCity takes PLANET CITY [REBELS], got 1 argument(s)")
                .contains("nothing was sent (--strict)");
        assertThat(run.out()).isEmpty();
        Run read = leia("GetNumberRebelds", "Strict_Kamino", "Tipoca");
        assertThat(read.exitCode()).isEqualTo(1);
        assertThat(read.err()).contains("CITY_NOT_FOUND");
    }

    @Test
    void standardInputWithJsonLines() throws Exception {
        String input = "AddCity Json_Yavin Base 1\nAddCity Json_Yavin Temple 2\nUpdateNumber Json_Yavin Base 5\n"
                + "DeleteCity Json_Yavin Nowhere\nFly Json_Yavin Base\n";
        Run run = informant(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), "--json", "--file", "-");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).isEmpty();
        Map<Integer, JsonNode> byLine = new LinkedHashMap<>();
        JsonNode summary = null;
        for (String line : run.out().lines().toList()) {
            JsonNode node = FulcrumJson.MAPPER.readTree(line);
            if (node.has("summary")) {
                summary = node.get("summary");
            } else {
                byLine.put(node.get("line").asInt(), node);
            }
        }
        assertThat(byLine.keySet()).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        assertThat(byLine.get(1).get("outcome").asText()).isEqualTo("ok");
        assertThat(byLine.get(1).at("/reply/command").asText()).isEqualTo("AddCity");
        assertThat(byLine.get(1).at("/reply/replica").asText()).startsWith("fulcrum-");
        assertThat(byLine.get(1).get("commandId").asText()).isNotBlank();
        assertThat(byLine.get(3).at("/reply/ok").booleanValue()).isTrue();
        assertThat(byLine.get(4).get("outcome").asText()).isEqualTo("rejected");
        assertThat(byLine.get(4).at("/reply/error/code").asText()).isEqualTo("CITY_NOT_FOUND");
        assertThat(byLine.get(5).get("outcome").asText()).isEqualTo("invalid");
        assertThat(byLine.get(5).at("/error/code").asText()).isEqualTo("UNKNOWN_COMMAND");
        assertThat(byLine.get(5).get("text").asText()).isEqualTo("Fly Json_Yavin Base");
        assertThat(summary).isNotNull();
        assertThat(summary.get("commands").asInt()).isEqualTo(4);
        assertThat(summary.get("ok").asInt()).isEqualTo(3);
        assertThat(summary.get("rejected").asInt()).isEqualTo(1);
        assertThat(summary.at("/rejectedByCode/CITY_NOT_FOUND").asInt()).isEqualTo(1);
        assertThat(summary.get("badLines").asInt()).isEqualTo(1);
        assertThat(summary.get("exitCode").asInt()).isEqualTo(1);
    }

    private Map<String, Long> visibleCities(String replica, String planetName) {
        try (ReadOnlyRocksStore store = RocksStore.openReadOnly(cluster.dataDir(replica))) {
            Map<String, Long> cities = new TreeMap<>();
            for (Planet planet : store.planets()) {
                if (planet.name().equals(planetName)) {
                    planet.visibleByName().forEach((name, city) -> cities.put(name, city.rebels().value()));
                }
            }
            return cities;
        }
    }

    private Run informant(InputStream stdin, String... args) {
        return run(new InformantMain(stdin == null ? new ByteArrayInputStream(new byte[0]) : stdin), args);
    }

    private Run leia(String... args) {
        return run(new LeiaMain(), args);
    }

    private Run run(Object cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--uri", cluster.uri(), "--timeout", "30s",
                "--session-file", tmp.resolve("session.json").toString()));
        all.addAll(List.of(args));
        int code = CliRunner.run(cli, new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
