package fulcrum.informant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.common.wire.RouteCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.router.RouteAnswer;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.TestBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final List<Channel> answerers = new ArrayList<>();

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
        assertThat(nothingSent()).isTrue();
    }

    @Test
    void emptyAndWhiteSpaceNamesAreRejected() throws Exception {
        assertThat(run("AddCity", "", "Mos_Espa").exitCode()).isEqualTo(2);
        Run spaced = run("AddCity", "Tatooine", "Mos Espa");
        assertThat(spaced.exitCode()).isEqualTo(2);
        assertThat(spaced.err()).contains("white space");
        assertThat(nothingSent()).isTrue();
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
        // The topology exists but no router consumes: the route request is confirmed, no route comes.
        Run run = run("--timeout", "1s", "AddCity", "Tatooine", "Mos_Espa");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("no route from Mos Eisley within 1s");
        assertThat(queued()).isEqualTo(1);
    }

    @Test
    void aMissingQueueIsReportedAsUnavailable() throws Exception {
        channel.queueDelete(Topology.ROUTER_ROUTES);
        Run run = run("--timeout", "2s", "AddCity", "Tatooine", "Mos_Espa");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("no queue 'mos-eisley.routes'");
    }

    @Test
    void aWriteWithAnUnknownOutcomeIsReSentWithTheEnvelopeOfItsFirstSend() throws Exception {
        // The session last wrote Tatooine at fulcrum-1; no router consumes, so the outcome is unknown.
        // (A route request carries the write's envelope: what the write would carry, it shows.)
        Files.writeString(tmp.resolve("session.json"),
                "{\"Tatooine\":{\"clock\":{\"fulcrum-1\":2},\"replica\":\"fulcrum-1\"}}");
        assertThat(run("--timeout", "1s", "--command-id", "cmd-1", "UpdateNumber", "Tatooine", "Mos_Espa", "7").exitCode())
                .isEqualTo(3);
        // Meanwhile the session moved on (another write, served by fulcrum-2).
        Files.writeString(tmp.resolve("session.json"),
                "{\"Tatooine\":{\"clock\":{\"fulcrum-1\":2,\"fulcrum-2\":1},\"replica\":\"fulcrum-2\"}}");
        assertThat(run("--timeout", "1s", "--command-id", "cmd-1", "UpdateNumber", "Tatooine", "Mos_Espa", "7").exitCode())
                .isEqualTo(3);
        assertThat(run("--timeout", "1s", "--command-id", "cmd-2", "UpdateNumber", "Tatooine", "Mos_Espa", "8").exitCode())
                .isEqualTo(3);

        JsonNode first = FulcrumJson.MAPPER.readTree(channel.basicGet(Topology.ROUTER_ROUTES, true).getBody());
        JsonNode resend = FulcrumJson.MAPPER.readTree(channel.basicGet(Topology.ROUTER_ROUTES, true).getBody());
        JsonNode fresh = FulcrumJson.MAPPER.readTree(channel.basicGet(Topology.ROUTER_ROUTES, true).getBody());
        assertThat(resend.get("lastReplica").asText()).isEqualTo("fulcrum-1");
        assertThat(resend.get("requiredClock")).isEqualTo(first.get("requiredClock"));
        assertThat(fresh.get("lastReplica").asText()).isEqualTo("fulcrum-2");
        assertThat(fresh.get("requiredClock").get("fulcrum-2").asLong()).isEqualTo(1);

        Run otherPlanet = run("--timeout", "1s", "--command-id", "cmd-1", "UpdateNumber", "Hoth", "Echo_Base", "7");
        assertThat(otherPlanet.exitCode()).isEqualTo(2);
        assertThat(otherPlanet.err()).contains("command id cmd-1 was first sent for planet Tatooine");
    }

    @Test
    void aRunKilledWhileItWaitsLeavesItsEnvelopePendingAndTheReSendCarriesIt() throws Exception {
        Path session = tmp.resolve("session.json");
        Files.writeString(session, "{\"Tatooine\":{\"clock\":{\"fulcrum-1\":2},\"replica\":\"fulcrum-1\"}}");
        List<String> args = List.of("--uri", uri, "--session-file", session.toString(), "--timeout", "5m",
                "--command-id", "cmd-k", "UpdateNumber", "Tatooine", "Mos_Espa", "7");
        try (JvmProcess cli = JvmProcess.start("informant-killed", tmp.resolve("logs"), Map.of(),
                InformantMain.class.getName(), args)) {
            // No router consumes: the command is queued and the CLI waits for a reply that never comes.
            await().atMost(Duration.ofSeconds(60)).until(() -> queued() == 1);
            cli.kill9();
            assertThat(cli.isAlive()).isFalse();
        }
        JsonNode kept = FulcrumJson.MAPPER.readTree(tmp.resolve("session.json.pending").toFile()).get("cmd-k");
        assertThat(kept.get("lastReplica").asText()).isEqualTo("fulcrum-1");
        assertThat(kept.get("requiredClock").get("fulcrum-1").asLong()).isEqualTo(2);

        // The session moves on (another run's write, served by fulcrum-2); the re-send does not.
        Files.writeString(session, "{\"Tatooine\":{\"clock\":{\"fulcrum-1\":2,\"fulcrum-2\":1},\"replica\":\"fulcrum-2\"}}");
        assertThat(run("--timeout", "1s", "--command-id", "cmd-k", "UpdateNumber", "Tatooine", "Mos_Espa", "7").exitCode())
                .isEqualTo(3);
        byte[] first = channel.basicGet(Topology.ROUTER_ROUTES, true).getBody();
        byte[] resend = channel.basicGet(Topology.ROUTER_ROUTES, true).getBody();
        assertThat(FulcrumJson.MAPPER.readTree(resend)).isEqualTo(FulcrumJson.MAPPER.readTree(first));
    }

    @Test
    void anAnswerSettlesThePendingWriteAndAnUnavailableDoesNot() throws Exception {
        Path pending = tmp.resolve("session.json.pending");
        answerAsMosEisleyAndReplicas(Map.of("fulcrum-1", Reply.failure(CommandKind.UpdateNumber, "Tatooine", "Mos_Espa",
                null, null, ErrorCode.UNAVAILABLE, "overloaded: re-send the same command id")));
        assertThat(run("--command-id", "cmd-1", "UpdateNumber", "Tatooine", "Mos_Espa", "7").exitCode()).isEqualTo(3);
        assertThat(FulcrumJson.MAPPER.readTree(pending.toFile()).has("cmd-1")).as("outcome unknown: kept").isTrue();

        answerAsMosEisleyAndReplicas(Map.of("fulcrum-1", Reply.success(CommandKind.UpdateNumber, "Tatooine", "Mos_Espa",
                "fulcrum-1", VectorClock.of(Map.of("fulcrum-1", 1L)), null)));
        assertThat(run("--command-id", "cmd-1", "UpdateNumber", "Tatooine", "Mos_Espa", "7").exitCode()).isZero();
        assertThat(pending).as("settled: nothing pending is left").doesNotExist();
    }

    @Test
    void aWriteWalksItsRouteToTheNextReplicaOnlyAfterAStale() throws Exception {
        answerAsMosEisleyAndReplicas(Map.of(
                "fulcrum-1", Reply.failure(CommandKind.UpdateNumber, "Tatooine", "Mos_Espa", "fulcrum-1",
                        VectorClock.of(Map.of("fulcrum-1", 0L)), ErrorCode.STALE, "behind"),
                "fulcrum-2", Reply.success(CommandKind.UpdateNumber, "Tatooine", "Mos_Espa", "fulcrum-2",
                        VectorClock.of(Map.of("fulcrum-2", 1L)), null)));
        Run run = run("--json", "--command-id", "cmd-w", "UpdateNumber", "Tatooine", "Mos_Espa", "7");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(FulcrumJson.MAPPER.readTree(run.out()).get("replica").asText()).isEqualTo("fulcrum-2");
        assertThat(walked).containsExactly("fulcrum-1", "fulcrum-2");
        assertThat(channel.queueDeclarePassive(Topology.replicaCommandQueue("fulcrum-3")).getMessageCount())
                .as("the walk ends at the first answer that is not STALE").isZero();
    }

    /** The replicas, in order, that the played replicas took a write from. */
    private final List<String> walked = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Plays Mos Eisley (every route request gets the route fulcrum-1, fulcrum-2, fulcrum-3) and the
     * replicas named in {@code replies}: a write sent to one of them gets its reply, sent to its reply-to.
     */
    private void answerAsMosEisleyAndReplicas(Map<String, Reply> replies) throws Exception {
        for (Channel previous : answerers) {
            previous.close();
        }
        answerers.clear();
        walked.clear();
        Channel answering = connection.createChannel();
        answering.basicConsume(Topology.ROUTER_ROUTES, true, (tag, d) -> answering.basicPublish("",
                d.getProperties().getReplyTo(), false,
                Amqp.replyProperties(d.getProperties().getCorrelationId(), RouteCodec.TYPE),
                RouteCodec.encode(RouteAnswer.route(Topology.replicaIds(3)))), tag -> { });
        replies.forEach((replica, reply) -> {
            try {
                answering.basicConsume(Topology.replicaCommandQueue(replica), true, (tag, d) -> {
                    walked.add(replica);
                    answering.basicPublish("", d.getProperties().getReplyTo(), false,
                            Amqp.replyProperties(d.getProperties().getCorrelationId(), reply.command().name()),
                            ReplyCodec.encode(reply));
                }, tag -> { });
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        answerers.add(answering);
    }

    private long queued() throws Exception {
        return channel.queueDeclarePassive(Topology.ROUTER_ROUTES).getMessageCount();
    }

    /** No route request and no write reached the broker. */
    private boolean nothingSent() throws Exception {
        long total = queued();
        for (String replica : Topology.replicaIds(3)) {
            total += channel.queueDeclarePassive(Topology.replicaCommandQueue(replica)).getMessageCount();
        }
        return total == 0;
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
