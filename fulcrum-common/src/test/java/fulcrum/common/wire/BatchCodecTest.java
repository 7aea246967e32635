package fulcrum.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.node.BatchedCommand;
import fulcrum.core.replica.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchCodecTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void commandsRoundTripWithTheirIdsAndSessions() {
        VectorClock clock = VectorClock.of(Map.of("fulcrum-1", 2L));
        byte[] body = BatchCodec.encodeCommands(List.of(
                new BatchCodec.Entry("c1", Command.addCity("Tatooine", "Mos_Espa", 5), null, null),
                new BatchCodec.Entry("c2", Command.updateName("Tatooine", "Mos_Espa", "Mos_Eisley"), clock, "fulcrum-1")));

        assertThat(BatchCodec.decodeCommands(body)).containsExactly(
                new BatchedCommand.Valid("c1", Command.addCity("Tatooine", "Mos_Espa", 5), null),
                new BatchedCommand.Valid("c2", Command.updateName("Tatooine", "Mos_Espa", "Mos_Eisley"), clock));
    }

    @Test
    void aBadCommandIsRefusedAloneWithItsIdAndKind() {
        List<BatchedCommand> decoded = BatchCodec.decodeCommands(utf8("""
                {"commands":[{"id":"ok","command":"DeleteCity","planet":"Tatooine","city":"Mos_Espa"},
                 {"id":"unknown","command":"Explode","planet":"Tatooine","city":"Mos_Espa"},
                 {"id":"field","command":"UpdateNumber","planet":"Tatooine","city":"Mos_Espa","rebels":"many"},
                 {"id":"name","command":"AddCity","planet":"Tatooine","city":"Mos Espa"}]}"""));

        assertThat(decoded.get(0)).isInstanceOf(BatchedCommand.Valid.class);
        assertThat(decoded.subList(1, 4)).allSatisfy(c -> assertThat(c).isInstanceOf(BatchedCommand.Invalid.class));
        assertThat(decoded.subList(1, 4)).extracting(c -> ((BatchedCommand.Invalid) c).code())
                .containsExactly(ErrorCode.UNKNOWN_COMMAND, ErrorCode.BAD_MESSAGE, ErrorCode.INVALID_ARGUMENT);
        assertThat(((BatchedCommand.Invalid) decoded.get(2)).kind()).isEqualTo(CommandKind.UpdateNumber);
        assertThat(decoded).extracting(BatchedCommand::commandId).containsExactly("ok", "unknown", "field", "name");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json",
            "[]",
            "{}",
            "{\"commands\":[]}",
            "{\"commands\":{}}",
            "{\"commands\":[{\"id\":\"a\",\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"c\"}],\"extra\":1}",
            "{\"commands\":[42]}",
            "{\"commands\":[{\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"c\"}]}",
            "{\"commands\":[{\"id\":\" \",\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"c\"}]}",
            "{\"commands\":[{\"id\":7,\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"c\"}]}"})
    void aBatchThatBreaksTheFormatIsRefusedWhole(String body) {
        assertThatThrownBy(() -> BatchCodec.decodeCommands(utf8(body)))
                .isInstanceOfSatisfying(InvalidCommandException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
    }

    @Test
    void tooManyCommandsOrTooManyBytesAreRefusedWhole() {
        String one = "{\"id\":\"x\",\"command\":\"DeleteCity\",\"planet\":\"T\",\"city\":\"c\"}";
        String tooMany = "{\"commands\":[" + String.join(",", java.util.Collections.nCopies(BatchedCommand.MAX_PER_BATCH + 1, one)) + "]}";
        assertThatThrownBy(() -> BatchCodec.decodeCommands(utf8(tooMany))).hasMessageContaining("1.." + BatchedCommand.MAX_PER_BATCH);
        assertThatThrownBy(() -> BatchCodec.decodeCommands(new byte[BatchCodec.MAX_BODY_BYTES + 1])).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> BatchCodec.decodeCommands(new byte[0])).hasMessageContaining("empty");
    }

    @Test
    void repliesRoundTripWithIdsThatNeedEscaping() {
        Reply applied = Reply.success(CommandKind.AddCity, "Tatooine", "Mos_Espa", "fulcrum-2",
                VectorClock.of(Map.of("fulcrum-2", 1L)), null);
        Reply refused = Reply.failure(null, null, null, "fulcrum-2", null, ErrorCode.BAD_MESSAGE, "no \"command\"");
        byte[] body = BatchCodec.encodeReplies(List.of("a\"b", "c"), List.of(ReplyCodec.encode(applied), ReplyCodec.encode(refused)));

        assertThat(BatchCodec.decodeReplies(body)).containsExactly(
                new BatchCodec.IdentifiedReply("a\"b", applied), new BatchCodec.IdentifiedReply("c", refused));
    }

    @Test
    void somethingElseIsNotABatchReply() {
        assertThatThrownBy(() -> BatchCodec.decodeReplies(utf8("{\"ok\":true}"))).hasMessageContaining("replies");
        assertThatThrownBy(() -> BatchCodec.decodeReplies(utf8("{\"replies\":[{\"reply\":{\"ok\":true}}]}"))).hasMessageContaining("id");
        assertThatThrownBy(() -> BatchCodec.decodeReplies(utf8("nope"))).hasMessageContaining("JSON");
    }
}
