package fulcrum.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The JSON wire format: strict decoding with one-line reasons, canonical encoding. */
class WireFormatTest {

    @Test
    void commandsRoundTrip() {
        for (Command c : List.of(Command.addCity("Tatooine", "Mos_Espa", 5), Command.updateName("T", "A", "B"),
                Command.updateNumber("T", "A", 0), Command.deleteCity("T", "A"), Command.getNumberRebelds("T", "A"))) {
            assertThat(CommandCodec.decode(CommandCodec.encode(c), c.kind().name())).isEqualTo(c);
        }
    }

    @Test
    void theRequiredClockTravelsWithTheCommand() {
        VectorClock required = VectorClock.of(Map.of("fulcrum-1", 2L, "fulcrum-2", 0L));
        Command c = Command.updateNumber("T", "C", 4);
        CommandCodec.Envelope envelope = CommandCodec.decodeEnvelope(CommandCodec.encode(c, required), null);
        assertThat(envelope.command()).isEqualTo(c);
        assertThat(envelope.requiredClock()).isEqualTo(required);
        assertThat(CommandCodec.decodeEnvelope(CommandCodec.encode(c), null).requiredClock()).isNull();
        assertThatThrownBy(() -> decode("{\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"C\",\"requiredClock\":{\"a\":-1}}", null))
                .hasMessageContaining("non-negative");
    }

    @Test
    void addCityWithoutRebelsMeansZero() {
        assertThat(decode("{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\"}", null))
                .isEqualTo(Command.addCity("T", "C", 0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{oops                                                          | BAD_MESSAGE      | not valid JSON",
            "[1,2]                                                          | BAD_MESSAGE      | must be a JSON object",
            "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"x\":1}  | BAD_MESSAGE | unknown field 'x'",
            "{\"command\":\"AddCity\",\"planet\":7,\"city\":\"C\"}          | BAD_MESSAGE      | field 'planet' must be a string",
            "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":1.5} | BAD_MESSAGE | whole number",
            "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":99999999999999999999} | BAD_MESSAGE | fits in 64 bits",
            "{\"command\":\"AddCity\",\"city\":\"C\"}                       | BAD_MESSAGE      | missing field 'planet'",
            "{\"command\":\"Explode\",\"planet\":\"T\",\"city\":\"C\"}      | UNKNOWN_COMMAND  | unknown command 'Explode'",
            "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":-1} | INVALID_ARGUMENT | non-negative",
            "{\"command\":\"AddCity\",\"planet\":\"\",\"city\":\"C\"}       | INVALID_ARGUMENT | planet must not be empty",
            "{\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":1} | INVALID_ARGUMENT | takes no rebels",
            "{\"command\":\"UpdateName\",\"planet\":\"T\",\"city\":\"C\"}   | INVALID_ARGUMENT | newName must not be empty",
    })
    void badBodiesAreRefusedWithAReason(String body, ErrorCode code, String reason) {
        assertThatThrownBy(() -> decode(body.trim(), null))
                .isInstanceOfSatisfying(InvalidCommandException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(reason).doesNotContain("\n");
                });
    }

    @Test
    void typePropertyMustMatchTheBody() {
        assertThatThrownBy(() -> decode("{\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"C\"}", "AddCity"))
                .hasMessageContaining("does not match");
    }

    @Test
    void hugeBodiesAreRefusedBeforeParsing() {
        String huge = "{\"command\":\"AddCity\",\"planet\":\"" + "x".repeat(CommandCodec.MAX_BODY_BYTES) + "\"}";
        assertThatThrownBy(() -> decode(huge, null)).hasMessageContaining("exceeds");
    }

    @Test
    void repliesRoundTripAndPrintInTheDocumentedShape() {
        VectorClock clock = VectorClock.of(Map.of("fulcrum-1", 0L, "fulcrum-2", 1L, "fulcrum-3", 0L));
        Reply ok = Reply.success(CommandKind.AddCity, "Tatooine", "Mos_Espa", "fulcrum-2", clock, null);
        assertThat(ReplyCodec.toLine(ok)).isEqualTo("{\"ok\":true,\"command\":\"AddCity\",\"planet\":\"Tatooine\","
                + "\"city\":\"Mos_Espa\",\"replica\":\"fulcrum-2\",\"clock\":{\"fulcrum-1\":0,\"fulcrum-2\":1,\"fulcrum-3\":0}}");
        assertThat(ReplyCodec.decode(ReplyCodec.encode(ok))).isEqualTo(ok);
        Reply failed = Reply.failure(CommandKind.DeleteCity, "T", "C", "fulcrum-1", clock, ErrorCode.CITY_NOT_FOUND, "no city C on T");
        assertThat(ReplyCodec.decode(ReplyCodec.encode(failed))).isEqualTo(failed);
        assertThat(ReplyCodec.toLine(Reply.failure(null, null, null, null, null, ErrorCode.BAD_MESSAGE, "x")))
                .isEqualTo("{\"ok\":false,\"error\":{\"code\":\"BAD_MESSAGE\",\"message\":\"x\"}}");
    }

    @Test
    void operationsAndDeltasRoundTrip() {
        Operation op = new Operation("fulcrum-1", 1, "Tatooine", CommandKind.AddCity, "fulcrum-1:1", "Mos_Espa", 5L,
                VectorClock.of(Map.of("fulcrum-1", 1L, "fulcrum-2", 0L)), "cmd-1");
        byte[] json = FulcrumJson.write(new MergeMessages.Delta("fulcrum-1", List.of(op)));
        MergeMessages.Delta back = MergeMessages.decode(json, MergeMessages.Delta.class);
        assertThat(back.operations()).containsExactly(op);
        assertThat(FulcrumJson.write(back)).isEqualTo(json);
    }

    @Test
    void aDeltaWithAGapIsRefused() {
        VectorClock c = VectorClock.of(Map.of("fulcrum-1", 1L));
        Operation first = new Operation("fulcrum-1", 1, "T", CommandKind.DeleteCity, "x", null, null, c, "a");
        Operation third = new Operation("fulcrum-1", 3, "T", CommandKind.DeleteCity, "x", null, null, c, "b");
        assertThatThrownBy(() -> new MergeMessages.Delta("fulcrum-1", List.of(first, third))).hasMessageContaining("skips");
    }

    private static Command decode(String body, String type) {
        return CommandCodec.decode(body.getBytes(StandardCharsets.UTF_8), type);
    }
}
