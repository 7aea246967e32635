package fulcrum.informant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.testkit.TestBroker;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code informant --file}: usage, --strict and unknown outcomes, against a real broker with no
 * cluster behind it (the end-to-end loads are in fulcrum-it's BulkLoadTest).
 */
class BulkCliTest {
    @TempDir
    Path tmp;

    private String uri;
    private Connection connection;
    private Channel channel;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void connect() throws Exception {
        uri = TestBroker.freshVirtualHost("informant-bulk");
        connection = Amqp.connect(uri, "informant-bulk-test", Duration.ofSeconds(10));
        channel = connection.createChannel();
        Topology.declare(channel, Topology.replicaIds(3));
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
    }

    @Test
    void strictRefusesTheWholeFileBeforeSendingAnything() throws Exception {
        Path file = write("AddCity Tatooine Mos_Espa 5\nExplode Tatooine Mos_Espa\nAddCity Tatooine Anchorhead\n"
                + "UpdateNumber Tatooine Mos_Espa many\n");
        Run run = run("--file", file.toString(), "--strict");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("line 2: error: unknown command 'Explode'")
                .contains("line 4: error: rebels must be a non-negative whole number, got 'many'")
                .contains("2 bad line(s)").contains("nothing was sent (--strict)")
                .doesNotContain("\tat ");
        assertThat(queued()).isZero();
    }

    @Test
    void withoutAnAnswerEveryCommandIsReportedUnknownAndKeptPendingForAReSend() throws Exception {
        // The topology exists but no router consumes: every publish is confirmed, no reply comes.
        Path file = write("# three writes\nAddCity Hoth Echo_Base 3\n\nAddCity Endor Bright_Tree 1\nUpdateNumber Hoth Echo_Base 4\n");
        Run run = run("--file", file.toString(), "--timeout", "1s");
        assertThat(run.exitCode()).isEqualTo(3);
        List<String> results = run.out().lines().toList();
        // Line 5 waits for line 2 (same city) and is sent only after line 2's outcome is known.
        assertThat(results).hasSize(3).allMatch(line -> line.contains("UNKNOWN"))
                .anyMatch(line -> line.startsWith("line 2: UNKNOWN AddCity Hoth Echo_Base 3 (command id "))
                .anyMatch(line -> line.startsWith("line 4: "))
                .anyMatch(line -> line.startsWith("line 5: "));
        assertThat(run.out()).contains("no reply within 1s");
        assertThat(run.err()).contains("summary: 3 commands: 0 ok, 0 rejected, 3 unknown; 0 bad line(s) skipped");
        assertThat(queued()).isEqualTo(3);
        JsonNode pending = FulcrumJson.MAPPER.readTree(tmp.resolve("session.json.pending").toFile());
        assertThat(pending.size()).isEqualTo(3);
        List<String> planets = new ArrayList<>();
        pending.forEach(entry -> planets.add(entry.get("planet").asText()));
        assertThat(planets).containsExactlyInAnyOrder("Hoth", "Endor", "Hoth");
    }

    @Test
    void aMissingQueueMakesEveryCommandUnknown() throws Exception {
        channel.queueDelete(Topology.ROUTER_ROUTES);
        Run run = run("--file", write("AddCity Hoth Echo_Base 3\nAddCity Endor Bright_Tree 1\n").toString(),
                "--timeout", "5s", "--json");
        assertThat(run.exitCode()).isEqualTo(3);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.out().lines().toList()) {
            lines.add(FulcrumJson.MAPPER.readTree(line));
        }
        assertThat(lines).hasSize(3);
        assertThat(lines.subList(0, 2)).allSatisfy(node -> {
            assertThat(node.get("outcome").asText()).isEqualTo("unknown");
            assertThat(node.get("problem").asText()).contains("no queue 'mos-eisley.routes'");
        });
        assertThat(lines.get(2).at("/summary/unknown").asInt()).isEqualTo(2);
        assertThat(lines.get(2).at("/summary/exitCode").asInt()).isEqualTo(3);
    }

    @Test
    void aLostConnectionEndsTheCommandsInFlightAsUnknown() throws Exception {
        assumeTrue(TestBroker.usesPrivateNode(), "needs the private node's rabbitmqctl");
        Path file = write("AddCity Hoth Echo_Base 3\nAddCity Endor Bright_Tree 1\nAddCity Naboo Theed 2\n");
        // No router consumes and the deadline is far: only the lost connection can end these commands.
        CompletableFuture<Run> running = CompletableFuture.supplyAsync(() ->
                run("--name", "bulk-loss", "--file", file.toString(), "--timeout", "5m"));
        await().atMost(Duration.ofSeconds(60)).until(() -> queued() == 3);
        assertThat(TestBroker.privateNode().closeConnections(TestBroker.virtualHost(uri), "informant-bulk-loss"))
                .isEqualTo(1);
        Run run = running.get(60, TimeUnit.SECONDS);
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out().lines()).hasSize(3).allMatch(line -> line.contains("UNKNOWN") && line.contains("connection lost"));
        assertThat(run.err()).contains("3 unknown");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path file = write("AddCity Hoth Echo_Base\n");
        assertThat(run("--file", file.toString(), "AddCity", "Hoth", "Echo_Base").err())
                .contains("give either --file or one command, not both");
        assertThat(run("--file", file.toString(), "--command-id", "x").exitCode()).isEqualTo(2);
        assertThat(run("--file", file.toString(), "--in-flight", "0").err()).contains("--in-flight must be 1..4096");
        assertThat(run("--strict", "AddCity", "Hoth", "Echo_Base").err()).contains("apply to --file only");
        Run missing = run("--file", tmp.resolve("nope.txt").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: cannot read ").contains("no such file");
        Run noCommand = run();
        assertThat(noCommand.exitCode()).isEqualTo(2);
        assertThat(noCommand.err()).contains("missing COMMAND");
        assertThat(queued()).isZero();
    }

    @Test
    void aFileThatIsNotTextIsRefused() throws Exception {
        Path file = tmp.resolve("binary.txt");
        Files.write(file, new byte[] {'A', 'd', 'd', (byte) 0xC3, (byte) 0x28, '\n'});
        Run run = run("--file", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("not UTF-8 text");
    }

    private Path write(String content) throws Exception {
        Path file = tmp.resolve("commands-" + System.nanoTime() + ".txt");
        Files.writeString(file, content);
        return file;
    }

    /** Route requests waiting for Mos Eisley: each write asks for its route first. */
    private long queued() throws Exception {
        return channel.queueDeclarePassive(Topology.ROUTER_ROUTES).getMessageCount();
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--uri", uri, "--session-file", tmp.resolve("session.json").toString()));
        all.addAll(List.of(args));
        int code = CliRunner.run(new InformantMain(new ByteArrayInputStream(new byte[0])), new PrintWriter(out, true),
                new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
