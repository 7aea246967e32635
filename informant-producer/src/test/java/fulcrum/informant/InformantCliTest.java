package fulcrum.informant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.testkit.TestBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The informant CLI's input checks and failure exits, against a real broker with no cluster behind it. */
class InformantCliTest {
    @TempDir
    Path tmp;

    private String uri;
    private Connection connection;
    private Channel channel;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void connect() throws Exception {
        uri = TestBroker.freshVirtualHost("informant");
        connection = Amqp.connect(uri, "informant-test", Duration.ofSeconds(10));
        channel = connection.createChannel();
        Topology.declare(channel, Topology.replicaIds(3));
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "AddCity Tatooine                          | AddCity takes PLANET CITY [REBELS], got 1 argument(s)",
            "AddCity Tatooine Mos_Espa -5              | rebels must be a non-negative whole number, got '-5'",
            "AddCity Tatooine Mos_Espa lots            | rebels must be a non-negative whole number, got 'lots'",
            "UpdateNumber Tatooine Mos_Espa            | UpdateNumber takes PLANET CITY REBELS, got 2 argument(s)",
            "UpdateName Tatooine Mos_Espa              | UpdateName takes PLANET CITY NEW_NAME, got 2 argument(s)",
            "DeleteCity Tatooine Mos_Espa extra        | DeleteCity takes PLANET CITY, got 3 argument(s)",
            "Explode Tatooine Mos_Espa                 | unknown command 'Explode'",
            "GetNumberRebelds Tatooine Mos_Espa        | informant does not send GetNumberRebelds",
            "AddCity Tatooine AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | city must be at most 64 characters, got 65",
    })
    void invalidInputExitsTwoWithOneLineAndSendsNothing(String words, String expected) throws Exception {
        Run run = run(words.trim().split(" +"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.err().strip().lines().count()).isEqualTo(1);
        assertThat(channel.queueDeclarePassive(Topology.ROUTER_COMMANDS).getMessageCount()).isZero();
    }

    @Test
    void emptyAndWhiteSpaceNamesAreRejected() throws Exception {
        assertThat(run("AddCity", "", "Mos_Espa").exitCode()).isEqualTo(2);
        Run spaced = run("AddCity", "Tatooine", "Mos Espa");
        assertThat(spaced.exitCode()).isEqualTo(2);
        assertThat(spaced.err()).contains("white space");
        assertThat(channel.queueDeclarePassive(Topology.ROUTER_COMMANDS).getMessageCount()).isZero();
    }

    @Test
    void jsonModePrintsOneErrorObject() throws Exception {
        Run run = run("--json", "AddCity", "Tatooine", "Mos_Espa", "-1");
        assertThat(run.exitCode()).isEqualTo(2);
        JsonNode node = FulcrumJson.MAPPER.readTree(run.out());
        assertThat(node.get("ok").booleanValue()).isFalse();
        assertThat(node.at("/error/code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(run.out().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run run = run("--frobnicate", "AddCity", "Tatooine", "Mos_Espa");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--frobnicate");
    }

    @Test
    void noBrokerExitsThreeWithoutStackTrace() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run run = runWithUri("amqp://guest:guest@127.0.0.1:" + closedPort + "/%2f", "--timeout", "1s",
                "AddCity", "Tatooine", "Mos_Espa");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).startsWith("error: cannot reach RabbitMQ").doesNotContain("\tat ");
    }

    @Test
    void noReplyInTimeExitsThree() throws Exception {
        // The topology exists but no router consumes: the publish is confirmed, no reply comes.
        Run run = run("--timeout", "1s", "AddCity", "Tatooine", "Mos_Espa");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("no reply within 1s");
        assertThat(channel.queueDeclarePassive(Topology.ROUTER_COMMANDS).getMessageCount()).isEqualTo(1);
    }

    @Test
    void aMissingQueueIsReportedAsUnavailable() throws Exception {
        channel.queueDelete(Topology.ROUTER_COMMANDS);
        Run run = run("--timeout", "2s", "AddCity", "Tatooine", "Mos_Espa");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("no queue 'mos-eisley.commands'");
    }

    @Test
    void aWriteWithAnUnknownOutcomeIsReSentWithTheEnvelopeOfItsFirstSend() throws Exception {
        // The session last wrote Tatooine at fulcrum-1; no router consumes, so the outcome is unknown.
        java.nio.file.Files.writeString(tmp.resolve("session.json"),
                "{\"Tatooine\":{\"clock\":{\"fulcrum-1\":2},\"replica\":\"fulcrum-1\"}}");
        assertThat(run("--timeout", "1s", "--command-id", "cmd-1", "UpdateNumber", "Tatooine", "Mos_Espa", "7").exitCode())
                .isEqualTo(3);
        // Meanwhile the session moved on (another write, served by fulcrum-2).
        java.nio.file.Files.writeString(tmp.resolve("session.json"),
                "{\"Tatooine\":{\"clock\":{\"fulcrum-1\":2,\"fulcrum-2\":1},\"replica\":\"fulcrum-2\"}}");
        assertThat(run("--timeout", "1s", "--command-id", "cmd-1", "UpdateNumber", "Tatooine", "Mos_Espa", "7").exitCode())
                .isEqualTo(3);
        assertThat(run("--timeout", "1s", "--command-id", "cmd-2", "UpdateNumber", "Tatooine", "Mos_Espa", "8").exitCode())
                .isEqualTo(3);

        JsonNode first = FulcrumJson.MAPPER.readTree(channel.basicGet(Topology.ROUTER_COMMANDS, true).getBody());
        JsonNode resend = FulcrumJson.MAPPER.readTree(channel.basicGet(Topology.ROUTER_COMMANDS, true).getBody());
        JsonNode fresh = FulcrumJson.MAPPER.readTree(channel.basicGet(Topology.ROUTER_COMMANDS, true).getBody());
        assertThat(resend.get("lastReplica").asText()).isEqualTo("fulcrum-1");
        assertThat(resend.get("requiredClock")).isEqualTo(first.get("requiredClock"));
        assertThat(fresh.get("lastReplica").asText()).isEqualTo("fulcrum-2");
        assertThat(fresh.get("requiredClock").get("fulcrum-2").asLong()).isEqualTo(1);

        Run otherPlanet = run("--timeout", "1s", "--command-id", "cmd-1", "UpdateNumber", "Hoth", "Echo_Base", "7");
        assertThat(otherPlanet.exitCode()).isEqualTo(2);
        assertThat(otherPlanet.err()).contains("command id cmd-1 was first sent for planet Tatooine");
    }

    private Run run(String... args) {
        return runWithUri(uri, args);
    }

    private Run runWithUri(String brokerUri, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 4];
        all[0] = "--uri";
        all[1] = brokerUri;
        all[2] = "--session-file";
        all[3] = tmp.resolve("session.json").toString();
        System.arraycopy(args, 0, all, 4, args.length);
        int code = CliRunner.run(new InformantMain(), new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Run(code, out.toString(), err.toString());
    }
}
