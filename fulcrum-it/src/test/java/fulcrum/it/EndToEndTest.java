package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.common.client.FulcrumClient;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.informant.InformantMain;
import fulcrum.leia.LeiaMain;
import fulcrum.testkit.TestBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.JsonNode;

/** Informant → Mos Eisley → Fulcrum (RocksDB) → reply, every part a real process. */
class EndToEndTest {
    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {
    }

    @Test
    void everyCommandThroughTheWholePathWithOneReplica() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("e2e"), 1, tmp).startAll()) {
            Run added = informant(cluster, "--json", "AddCity", "Tatooine", "Mos_Espa", "5");
            assertThat(added.exitCode()).as(added.toString()).isZero();
            JsonNode json = FulcrumJson.MAPPER.readTree(added.out());
            assertThat(json.get("ok").booleanValue()).isTrue();
            assertThat(json.get("replica").asText()).isEqualTo("fulcrum-1");
            assertThat(json.at("/clock/fulcrum-1").asLong()).isEqualTo(1);

            Run read = leia(cluster, "--json", "GetNumberRebelds", "Tatooine", "Mos_Espa");
            assertThat(read.exitCode()).isZero();
            assertThat(FulcrumJson.MAPPER.readTree(read.out()).get("rebels").asLong()).isEqualTo(5);

            assertThat(informant(cluster, "UpdateNumber", "Tatooine", "Mos_Espa", "7").exitCode()).isZero();
            assertThat(informant(cluster, "UpdateName", "Tatooine", "Mos_Espa", "Mos_Eisley").exitCode()).isZero();
            Run renamed = leia(cluster, "GetNumberRebelds", "Tatooine", "Mos_Eisley");
            assertThat(renamed.out()).startsWith("Tatooine Mos_Eisley 7 (replica fulcrum-1, clock [3])");

            Run duplicate = informant(cluster, "AddCity", "Tatooine", "Mos_Eisley");
            assertThat(duplicate.exitCode()).isEqualTo(1);
            assertThat(duplicate.err()).contains("CITY_ALREADY_EXISTS");
            Run missing = informant(cluster, "--json", "DeleteCity", "Tatooine", "Mos_Espa");
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(FulcrumJson.MAPPER.readTree(missing.out()).at("/error/code").asText()).isEqualTo("CITY_NOT_FOUND");

            assertThat(informant(cluster, "DeleteCity", "Tatooine", "Mos_Eisley").exitCode()).isZero();
            Run gone = leia(cluster, "GetNumberRebelds", "Tatooine", "Mos_Eisley");
            assertThat(gone.exitCode()).isEqualTo(1);
            assertThat(gone.err()).contains("CITY_NOT_FOUND");
        }
    }

    @Test
    void resendingACommandIdReturnsTheFirstReplyAndAppliesNothingTwice() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("e2e-dedup"), 1, tmp).startAll()) {
            assertThat(informant(cluster, "AddCity", "Hoth", "Echo_Base", "10").exitCode()).isZero();
            Run first = informant(cluster, "--json", "--command-id", "fixed-id", "UpdateNumber", "Hoth", "Echo_Base", "11");
            Run again = informant(cluster, "--json", "--command-id", "fixed-id", "UpdateNumber", "Hoth", "Echo_Base", "11");
            assertThat(again.out()).isEqualTo(first.out());
            assertThat(FulcrumJson.MAPPER.readTree(again.out()).at("/clock/fulcrum-1").asLong()).isEqualTo(2);
        }
    }

    @Test
    void writesSpreadOverThreeReplicasAndEachReplyNamesItsReplica() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("e2e-three"), 3, tmp).startAll();
             FulcrumClient client = FulcrumClient.connect(cluster.uri(), "spread", Duration.ofSeconds(30))) {
            Set<String> replicas = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                Reply reply = client.call(Command.addCity("Planet_" + i, "City", i));
                assertThat(reply.ok()).as(reply.toString()).isTrue();
                assertThat(reply.clock().sum()).isEqualTo(1);
                assertThat(reply.clock().get(reply.replica())).isEqualTo(1);
                replicas.add(reply.replica());
            }
            assertThat(replicas).containsExactlyInAnyOrder("fulcrum-1", "fulcrum-2", "fulcrum-3");
        }
    }

    @Test
    void aCommandConfirmedWhileTheRouterIsDownIsServedAfterItsRestart() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("e2e-router"), 1, tmp).startAll();
             FulcrumClient client = FulcrumClient.connect(cluster.uri(), "patient", Duration.ofSeconds(90))) {
            cluster.kill9("mos-eisley");
            CompletableFuture<Reply> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.call(Command.addCity("Endor", "Bright_Tree", 3));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            cluster.startRouter();
            Reply served = reply.get(90, TimeUnit.SECONDS);
            assertThat(served.ok()).as(served.toString()).isTrue();
            Reply read = client.call(Command.getNumberRebelds("Endor", "Bright_Tree"));
            assertThat(read.rebels()).isEqualTo(3);
        }
    }

    @Test
    void aRestartedWorkerKeepsItsData() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("e2e-restart"), 1, tmp).startAll();
             FulcrumClient client = FulcrumClient.connect(cluster.uri(), "restart", Duration.ofSeconds(60))) {
            assertThat(client.call(Command.addCity("Dagobah", "Swamp", 1)).ok()).isTrue();
            cluster.kill9("fulcrum-1");
            cluster.startWorker("fulcrum-1", java.util.Map.of());
            Reply read = client.call(Command.getNumberRebelds("Dagobah", "Swamp"));
            assertThat(read.rebels()).isEqualTo(1);
            assertThat(read.clock().get("fulcrum-1")).isEqualTo(1);
            Reply rejected = client.call(Command.addCity("Dagobah", "Swamp", 2));
            assertThat(rejected.errorCode()).isEqualTo(ErrorCode.CITY_ALREADY_EXISTS);
        }
    }

    private Run informant(Cluster cluster, String... args) {
        return run(new InformantMain(), cluster, args);
    }

    private Run leia(Cluster cluster, String... args) {
        return run(new LeiaMain(), cluster, args);
    }

    private Run run(Object cli, Cluster cluster, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 6];
        all[0] = "--uri";
        all[1] = cluster.uri();
        all[2] = "--timeout";
        all[3] = "30s";
        all[4] = "--session-file";
        all[5] = tmp.resolve("session.json").toString();
        System.arraycopy(args, 0, all, 6, args.length);
        int code = CliRunner.run(cli, new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Run(code, out.toString(), err.toString());
    }
}
