package fulcrum.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.common.binary.BinaryWriter;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@code MergeDelta} goes out in binary and reads back equal; a JSON delta (as replicas wrote them
 * before) still reads; every malformed binary body is refused with a one-line reason, never a
 * partial delta.
 */
class DeltaBinaryTest {
    private static final VectorClock CLOCK = VectorClock.of(java.util.Map.of("fulcrum-1", 3L, "fulcrum-2", 1L));
    private static final Operation ADD = new Operation("fulcrum-1", 7, 3, "Tatooine", OpKind.AddCity, "fulcrum-1:3",
            "Mos_Espa", 5L, CLOCK, "c-1");
    private static final Operation DELETE = new Operation("fulcrum-1", 7, 4, "Tatooine", OpKind.DeleteCity,
            "fulcrum-1:3", null, null, CLOCK, "c-2");

    @Test
    void everyDeltaReadsBackEqualFromBinaryAndFromJson() throws Exception {
        ReplicaSamples samples = new ReplicaSamples(11);
        for (int i = 0; i < 2000; i++) {
            List<Operation> ops = new ArrayList<>();
            for (OpKind kind : OpKind.values()) {
                ops.add(samples.shippable(kind));
            }
            Delta delta = new Delta(samples.text(), ops);
            byte[] binary = PeerCodec.encode(delta);
            assertThat(binary[0]).isEqualTo(DeltaBinary.TAG);
            assertThat(decode(binary)).isEqualTo(delta);
            assertThat(decode(FulcrumJson.write(delta))).as("a JSON delta").isEqualTo(delta);
        }
    }

    @Test
    void aBinaryDeltaIsSmallerThanItsJsonAndSaysSoInItsContentType() {
        Delta delta = new Delta("fulcrum-1", List.of(ADD, DELETE));
        assertThat(PeerCodec.encode(delta).length).isLessThan(FulcrumJson.write(delta).length / 2 + 1);
        assertThat(PeerCodec.contentType(delta)).isEqualTo(PeerCodec.DELTA_CONTENT_TYPE);
        assertThat(PeerCodec.contentType(new fulcrum.core.protocol.MergeNow("r-1"))).isEqualTo("application/json");
    }

    @Test
    void aBodyCutAtAnyLengthOrWithATrailingByteIsRefused() {
        byte[] whole = PeerCodec.encode(new Delta("fulcrum-1", List.of(ADD, DELETE)));
        for (int length = 1; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> decode(cut)).as("cut at %d of %d", length, whole.length)
                    .isInstanceOf(PeerCodec.UndecodableException.class)
                    .hasMessageStartingWith("invalid MergeDelta: ");
        }
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> decode(longer)).hasMessage("invalid MergeDelta: its binary body it has 1 byte(s) after its end");
    }

    @Test
    void anUnknownKindUnknownFieldsACountPastTheEndOrABrokenEntryIsRefused() {
        assertThatThrownBy(() -> decode(delta(1, entry(9, 1, 7))))
                .hasMessage("invalid MergeDelta: its binary body it has an unknown operation kind 9");
        assertThatThrownBy(() -> decode(delta(1, entry(4, 1 | 8, 7))))
                .hasMessage("invalid MergeDelta: its binary body it has unknown fields (9)");
        assertThatThrownBy(() -> decode(delta(1_000, entry(4, 1, 7))))
                .hasMessageStartingWith("invalid MergeDelta: its binary body it counts 1000 items with");
        assertThatThrownBy(() -> decode(delta(1, entry(4, 1, 0))))
                .hasMessage("invalid MergeDelta: incarnation is positive, got 0");
        assertThatThrownBy(() -> decode(delta(1, entry(4, 0, 7))))
                .as("a DeleteCity without its city").hasMessage("invalid MergeDelta: DeleteCity needs a cityId");
    }

    /** A binary delta of {@code count} (as written, whatever follows) and the entries' bytes. */
    private static byte[] delta(int count, byte[] entries) {
        byte[] head = new BinaryWriter(DeltaBinary.TAG, 16).text("fulcrum-1").number(count).toBytes();
        byte[] body = Arrays.copyOf(head, head.length + entries.length);
        System.arraycopy(entries, 0, body, head.length, entries.length);
        return body;
    }

    /** One entry's fields written by hand: a kind code, presence flags (1: a city id) and an incarnation. */
    private static byte[] entry(int kindCode, int present, long incarnation) {
        BinaryWriter out = new BinaryWriter((byte) 0, 64).text("fulcrum-1").number(incarnation).number(4)
                .text("Tatooine").octet(kindCode).octet(present);
        if ((present & 1) != 0) {
            out.text("fulcrum-1:3");
        }
        byte[] withTag = out.clock(CLOCK).text("c-2").toBytes();
        return Arrays.copyOfRange(withTag, 1, withTag.length);
    }

    private static Delta decode(byte[] body) throws PeerCodec.UndecodableException {
        return (Delta) PeerCodec.decode(Delta.TYPE, body, PeerCodec.MAX_MERGE_BODY_BYTES);
    }
}
