package fulcrum.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.protocol.Compacted;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.protocol.SnapshotChunk;
import fulcrum.core.protocol.SnapshotRequest;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.PlanetClock;
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

    /** The fourth column is the command the error reply names: "-" when the body never named a valid one. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{oops                                                          | BAD_MESSAGE      | not valid JSON             | -",
            "[1,2]                                                          | BAD_MESSAGE      | must be a JSON object      | -",
            "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"x\":1}  | BAD_MESSAGE | unknown field 'x'  | AddCity",
            "{\"command\":\"AddCity\",\"planet\":7,\"city\":\"C\"}          | BAD_MESSAGE      | field 'planet' must be a string | AddCity",
            "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":1.5} | BAD_MESSAGE | whole number | AddCity",
            "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":99999999999999999999} | BAD_MESSAGE | fits in 64 bits | AddCity",
            "{\"command\":\"AddCity\",\"city\":\"C\"}                       | BAD_MESSAGE      | missing field 'planet'     | AddCity",
            "{\"planet\":\"T\",\"city\":\"C\"}                               | BAD_MESSAGE      | missing field 'command'    | -",
            "{\"command\":\"UpdateNumber\",\"planet\":\"T\",\"city\":\"C\"} | BAD_MESSAGE      | missing field 'rebels'     | UpdateNumber",
            "{\"command\":\"UpdateName\",\"planet\":\"T\",\"city\":\"C\"}   | BAD_MESSAGE      | missing field 'newName'    | UpdateName",
            "{\"command\":\"Explode\",\"planet\":\"T\",\"city\":\"C\"}      | UNKNOWN_COMMAND  | unknown command 'Explode'  | -",
            "{\"command\":\"AddCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":-1} | INVALID_ARGUMENT | non-negative | AddCity",
            "{\"command\":\"AddCity\",\"planet\":\"\",\"city\":\"C\"}       | INVALID_ARGUMENT | planet must not be empty   | AddCity",
            "{\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"C\",\"rebels\":1} | INVALID_ARGUMENT | takes no rebels | DeleteCity",
            "{\"command\":\"UpdateName\",\"planet\":\"T\",\"city\":\"C\",\"newName\":\"\"} | INVALID_ARGUMENT | newName must not be empty | UpdateName",
    })
    void badBodiesAreRefusedWithAReason(String body, ErrorCode code, String reason, String kind) {
        assertThatThrownBy(() -> decode(body.trim(), null))
                .isInstanceOfSatisfying(InvalidCommandException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(reason).doesNotContain("\n");
                    assertThat(e.kind() == null ? "-" : e.kind().name()).isEqualTo(kind);
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
    void everyPeerMessageRoundTripsThroughItsType() throws Exception {
        VectorClock clock = VectorClock.of(Map.of("fulcrum-1", 1L, "fulcrum-2", 0L));
        Operation op = new Operation("fulcrum-1", 7, 1, "Tatooine", OpKind.AddCity, "fulcrum-1:1", "Mos_Espa", 5L, clock, "cmd-1");
        City city = City.applying(null, op);
        List<PeerMessage> messages = List.of(
                new Delta("fulcrum-1", List.of(op)),
                new ResendRequest("fulcrum-1", 2, "fulcrum-2", "fulcrum-1"),
                new Compacted("fulcrum-1", "fulcrum-2", "fulcrum-1", 4),
                new MergeNow("m-1"),
                new JoinRequest("fulcrum-3", 9, "r-1"),
                new JoinOffer("fulcrum-1", "fulcrum-3", "r-1", Phase.SERVING, Map.of("fulcrum-1", 1L), Map.of("fulcrum-1", 1L), 0),
                new SnapshotRequest("fulcrum-3", "fulcrum-1", "r-1", 0, null),
                new SnapshotChunk("fulcrum-1", "fulcrum-3", "r-1", 0, Map.of("fulcrum-1", 1L),
                        Map.of("fulcrum-1", List.of(new IncarnationStart(7, 1))), List.of(new PlanetClock("Tatooine", clock)),
                        List.of(new CityEntry("Tatooine", city)), List.of(CommandRecord.of(op)), null, null),
                new ReplicaStatus("fulcrum-2", 3, Phase.JOINING, Map.of("fulcrum-1", 1L), 0, Map.of(), Map.of(),
                        new ReplicaStatus.JoinProgress("copying", "fulcrum-1", 2, 4096, 0)));
        for (PeerMessage m : messages) {
            byte[] body = PeerCodec.encode(m);
            PeerMessage back = PeerCodec.decode(m.type(), body, PeerCodec.MAX_MERGE_BODY_BYTES);
            assertThat(back).as(m.type()).isEqualTo(m);
            assertThat(PeerCodec.encode(back)).as(m.type()).isEqualTo(body);
        }
        // a delta goes out in binary (DeltaBinaryTest); its JSON, as replicas wrote it before, is the README's
        assertThat(new String(FulcrumJson.write(messages.get(0)), StandardCharsets.UTF_8)).contains("\"incarnation\":7");
    }

    @Test
    void peerMessagesOfAnUnknownTypeOrShapeOrSizeAreRefusedWithAReason() {
        byte[] delta = PeerCodec.encode(new MergeNow("m"));
        assertThatThrownBy(() -> PeerCodec.decode("Nonsense", delta, 100)).isInstanceOf(PeerCodec.UndecodableException.class)
                .hasMessageContaining("unknown merge message type")
                .matches(e -> ((PeerCodec.UndecodableException) e).unknownType());
        assertThatThrownBy(() -> PeerCodec.decode(null, delta, 100)).hasMessageContaining("needs an AMQP type");
        assertThatThrownBy(() -> PeerCodec.decode(MergeNow.TYPE, "{\"requestId\":\"m\",\"extra\":1}".getBytes(StandardCharsets.UTF_8), 100))
                .hasMessageContaining("invalid MergeNow");
        assertThatThrownBy(() -> PeerCodec.decode(MergeNow.TYPE, "not json".getBytes(StandardCharsets.UTF_8), 100))
                .hasMessageContaining("invalid MergeNow");
        assertThatThrownBy(() -> PeerCodec.decode(MergeNow.TYPE, new byte[101], 100)).hasMessageContaining("exceeds 100");
    }

    private static Command decode(String body, String type) {
        return CommandCodec.decode(body.getBytes(StandardCharsets.UTF_8), type);
    }
}
