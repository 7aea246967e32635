package fulcrum.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.SnapshotChunk;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Stamp;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.PlanetClock;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link FulcrumJson} writes the stored and shipped replica values to the very bytes that plain
 * databind writes ({@link DatabindReference}), so that values written before and after the
 * hand-written codecs compare equal byte for byte, and reads back what it wrote, through the byte
 * and the text parser alike.
 */
class CanonicalBytesTest {
    private static final int CASES = 3000;

    @Test
    void operationsOfEveryKind() throws IOException {
        ReplicaSamples samples = new ReplicaSamples(1);
        for (OpKind kind : OpKind.values()) {
            for (int i = 0; i < CASES / 2; i++) {
                sameBytesAndRoundTrip(samples.operation(kind), Operation.class);
            }
        }
    }

    @Test
    void clocks() throws IOException {
        ReplicaSamples samples = new ReplicaSamples(2);
        sameBytesAndRoundTrip(VectorClock.empty(), VectorClock.class);
        for (int i = 0; i < CASES; i++) {
            sameBytesAndRoundTrip(samples.clock(), VectorClock.class);
        }
    }

    @Test
    void stampsCitiesAndTheirEntries() throws IOException {
        ReplicaSamples samples = new ReplicaSamples(3);
        sameBytesAndRoundTrip(City.unknown("fulcrum-1:1"), City.class);
        for (int i = 0; i < CASES; i++) {
            sameBytesAndRoundTrip(samples.stamp(), Stamp.class);
            sameBytesAndRoundTrip(samples.city(), City.class);
            sameBytesAndRoundTrip(samples.cityEntry(), CityEntry.class);
        }
    }

    @Test
    void planetClocksAndCommandRecords() throws IOException {
        ReplicaSamples samples = new ReplicaSamples(4);
        for (int i = 0; i < CASES; i++) {
            sameBytesAndRoundTrip(samples.planetClock(), PlanetClock.class);
            sameBytesAndRoundTrip(samples.commandRecord(), CommandRecord.class);
            sameBytesAndRoundTrip(samples.listOf(samples::commandRecord), new TypeReference<List<CommandRecord>>() {
            });
        }
    }

    /** The values inside the messages that carry them as JSON (a delta is also read as JSON: {@link DeltaBinaryTest}). */
    @Test
    void deltasAndSnapshotPages() throws IOException {
        ReplicaSamples samples = new ReplicaSamples(5);
        for (int i = 0; i < CASES / 10; i++) {
            sameBytesAndRoundTrip(new Delta(samples.text(), samples.listOf(samples::operation)), Delta.class);
            Supplier<PlanetClock> clocks = samples::planetClock;
            sameBytesAndRoundTrip(new SnapshotChunk(samples.text(), samples.text(), samples.text(), samples.count(), null,
                    null, samples.listOf(clocks), samples.listOf(samples::cityEntry), samples.listOf(samples::commandRecord),
                    i % 2 == 0 ? null : samples.text(), null), SnapshotChunk.class);
        }
    }

    private static <T> void sameBytesAndRoundTrip(T value, Class<T> type) throws IOException {
        sameBytesAndRoundTrip(value, FulcrumJson.MAPPER.constructType(type));
    }

    private static <T> void sameBytesAndRoundTrip(T value, TypeReference<T> type) throws IOException {
        sameBytesAndRoundTrip(value, FulcrumJson.MAPPER.constructType(type));
    }

    private static void sameBytesAndRoundTrip(Object value, JavaType type) throws IOException {
        byte[] expected = DatabindReference.MAPPER.writerFor(type).writeValueAsBytes(value);
        // Not the bytes decoded: Jackson 2.17 writes a character beyond U+FFFF to bytes as two
        // three-byte surrogates (CESU-8), and to text as the character itself.
        String expectedText = DatabindReference.MAPPER.writerFor(type).writeValueAsString(value);
        assertThat(FulcrumJson.write(value)).as(expectedText).isEqualTo(expected);
        assertThat(FulcrumJson.writeString(value)).isEqualTo(expectedText);

        Object fromBytes = FulcrumJson.MAPPER.readValue(expected, type);
        Object fromText = FulcrumJson.MAPPER.readValue(expectedText, type);
        assertThat(fromBytes).isEqualTo(value).isEqualTo(DatabindReference.MAPPER.readValue(expected, type));
        assertThat(fromText).isEqualTo(value);
        // equal is not enough for a clock (an explicit zero equals an absent entry): the same bytes again
        assertThat(FulcrumJson.write(fromBytes)).isEqualTo(expected);
        assertThat(FulcrumJson.write(fromText)).isEqualTo(expected);
    }
}
