package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import fulcrum.common.amqp.Amqp;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad command input never blocks the command queue: the sender gets an error reply with the
 * reason, the message lands in fulcrum.dead-letters with the reason in its headers, and the next
 * valid command is served.
 */
class WorkerBadInputTest {
    @TempDir
    Path dataDir;

    static Stream<Arguments> badCommands() {
        return Stream.of(
                Arguments.of("not JSON", "hello, Fulcrum", "AddCity", true, ErrorCode.BAD_MESSAGE, "not valid JSON"),
                Arguments.of("empty body", "", "AddCity", true, ErrorCode.BAD_MESSAGE, "empty body"),
                Arguments.of("JSON array", "[1,2]", "AddCity", true, ErrorCode.BAD_MESSAGE, "JSON object"),
                Arguments.of("wrong field type", "{\"command\":\"AddCity\",\"planet\":\"Tatooine\",\"city\":\"Mos_Espa\",\"rebels\":\"five\"}",
                        "AddCity", true, ErrorCode.BAD_MESSAGE, "rebels"),
                Arguments.of("name not a string", "{\"command\":\"AddCity\",\"planet\":42,\"city\":\"Mos_Espa\"}",
                        "AddCity", true, ErrorCode.BAD_MESSAGE, "planet"),
                Arguments.of("unknown field", "{\"command\":\"AddCity\",\"planet\":\"Tatooine\",\"city\":\"Mos_Espa\",\"colour\":\"red\"}",
                        "AddCity", true, ErrorCode.BAD_MESSAGE, "colour"),
                Arguments.of("count beyond 64 bits", "{\"command\":\"AddCity\",\"planet\":\"Tatooine\",\"city\":\"Mos_Espa\",\"rebels\":"
                        + "99999999999999999999}", "AddCity", true, ErrorCode.BAD_MESSAGE, "rebels"),
                Arguments.of("body over 16 KiB", "{\"command\":\"AddCity\",\"planet\":\"" + "x".repeat(17_000) + "\",\"city\":\"c\"}",
                        "AddCity", true, ErrorCode.BAD_MESSAGE, "16"),
                Arguments.of("unknown operation", "{\"command\":\"DestroyPlanet\",\"planet\":\"Alderaan\",\"city\":\"Aldera\"}",
                        "DestroyPlanet", true, ErrorCode.UNKNOWN_COMMAND, "DestroyPlanet"),
                Arguments.of("type disagrees with body", "{\"command\":\"AddCity\",\"planet\":\"Tatooine\",\"city\":\"Mos_Espa\"}",
                        "DeleteCity", true, ErrorCode.BAD_MESSAGE, "does not match"),
                Arguments.of("name with white space", "{\"command\":\"AddCity\",\"planet\":\"Tatoo ine\",\"city\":\"Mos_Espa\"}",
                        "AddCity", true, ErrorCode.INVALID_ARGUMENT, "white space"),
                Arguments.of("name too long", "{\"command\":\"AddCity\",\"planet\":\"" + "x".repeat(65) + "\",\"city\":\"Mos_Espa\"}",
                        "AddCity", true, ErrorCode.INVALID_ARGUMENT, "at most 64"),
                Arguments.of("empty name", "{\"command\":\"DeleteCity\",\"planet\":\"Tatooine\",\"city\":\"\"}",
                        "DeleteCity", true, ErrorCode.INVALID_ARGUMENT, "empty"),
                Arguments.of("negative count", "{\"command\":\"UpdateNumber\",\"planet\":\"Tatooine\",\"city\":\"Mos_Espa\",\"rebels\":-3}",
                        "UpdateNumber", true, ErrorCode.INVALID_ARGUMENT, "non-negative"),
                Arguments.of("missing message id", "{\"command\":\"AddCity\",\"planet\":\"Tatooine\",\"city\":\"Mos_Espa\"}",
                        "AddCity", false, ErrorCode.BAD_MESSAGE, "message_id"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommands")
    void badInputIsAnsweredDeadLetteredWithItsReasonAndTheQueueKeepsFlowing(String label, String body, String type,
                                                                            boolean withMessageId, ErrorCode expected,
                                                                            String reasonMentions) throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            TestClient client = replica.client;
            String correlationId = "bad-" + UUID.randomUUID();
            AMQP.BasicProperties props = client.props(withMessageId ? correlationId : null, correlationId, type).build();
            client.sendRaw(props, TestClient.utf8(body));

            Reply reply = client.awaitReply(correlationId);
            assertThat(reply.ok()).isFalse();
            assertThat(reply.errorCode()).isEqualTo(expected);
            assertThat(reply.errorMessage()).contains(reasonMentions);
            assertThat(reply.replica()).isEqualTo("fulcrum-1");

            GetResponse dead = client.awaitDeadLetter();
            assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo(body);
            assertThat(dead.getProps().getCorrelationId()).isEqualTo(correlationId);
            assertThat(String.valueOf(dead.getProps().getHeaders().get(Amqp.HEADER_ERROR_REASON))).contains(reasonMentions);
            assertThat(String.valueOf(dead.getProps().getHeaders().get(Amqp.HEADER_ERROR_CODE))).isEqualTo(expected.name());
            assertThat(String.valueOf(dead.getProps().getHeaders().get(Amqp.HEADER_SOURCE_QUEUE))).isEqualTo("fulcrum.fulcrum-1.commands");

            Reply next = client.call(Command.addCity("Tatooine", "Mos_Espa", 5));
            assertThat(next.ok()).isTrue();
            assertThat(replica.worker.store.meta().applied("fulcrum-1")).as("the bad input applied nothing").isEqualTo(1);
            assertThat(client.deadLetterCount()).as("dead-lettered once, not again on a redelivery").isZero();
        }
    }

    /** Clients need not set the AMQP type: the reply to a refused command still names it, from the body. */
    @Test
    void aRefusalNamesTheCommandTheBodyNamedEvenWithoutTheTypeProperty() throws Exception {
        try (LoneReplica replica = LoneReplica.start(dataDir)) {
            TestClient client = replica.client;
            String noRebels = "no-rebels-" + UUID.randomUUID();
            client.sendRaw(client.props(noRebels, noRebels, null).build(),
                    TestClient.utf8("{\"command\":\"UpdateNumber\",\"planet\":\"Tatooine\",\"city\":\"Mos_Espa\"}"));
            Reply missing = client.awaitReply(noRebels);
            assertThat(missing.errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
            assertThat(missing.errorMessage()).contains("missing field 'rebels'");
            assertThat(missing.command()).isEqualTo(CommandKind.UpdateNumber);

            String badName = "bad-name-" + UUID.randomUUID();
            client.sendRaw(client.props(badName, badName, null).build(),
                    TestClient.utf8("{\"command\":\"DeleteCity\",\"planet\":\"Tatoo ine\",\"city\":\"Mos_Espa\"}"));
            Reply invalid = client.awaitReply(badName);
            assertThat(invalid.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(invalid.command()).isEqualTo(CommandKind.DeleteCity);

            String garbage = "garbage-" + UUID.randomUUID();
            client.sendRaw(client.props(garbage, garbage, null).build(), TestClient.utf8("{oops"));
            assertThat(client.awaitReply(garbage).command()).as("a body that names no command").isNull();
        }
    }
}
