package fulcrum.store;

import static fulcrum.store.Sample.R1;
import static fulcrum.store.Sample.R2;
import static fulcrum.store.Sample.add;
import static fulcrum.store.Sample.city;
import static fulcrum.store.Sample.clock;
import static fulcrum.store.Sample.record;
import static fulcrum.store.Sample.refusal;
import static fulcrum.store.Sample.rename;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Format 3's binary values: each type reads back as written, and every way a value can be damaged
 * is refused with the key named (never a wrong object served, never an exception of another kind).
 */
class ValuesTest {
    private static final Values VALUES = new Values(Path.of("/data/fulcrum-1"));
    private static final Operation ESPA = add(R1, 1, "Tatooine", "Mos_Espa", 5, clock(1, 0, 0));
    private static final Operation RENAMED = rename(R1, 2, "Tatooine", ESPA.cityId(), "Anchorhead", clock(2, 0, 0));
    private static final Operation GONE = new Operation(R2, 3, 7, "Tatooine", OpKind.DeleteCity, ESPA.cityId(), null, null,
            clock(2, 7, 0), "cmd-delete");
    private static final Operation MORE = new Operation(R2, 1, 1L << 40, "Hoth", OpKind.UpdateNumber, "fulcrum-2:1", null,
            Long.MAX_VALUE, clock(0, 1L << 40, 0), "cmd-\u00e9\u4e16");
    private static final byte[] CITY_KEY = Keys.city("Tatooine", ESPA.cityId());

    @Test
    void everyTypeReadsBackAsWritten() {
        for (Operation op : List.of(ESPA, RENAMED, GONE, MORE, refusal(R1, 9, "Naboo", clock(0, 0, 0), "cmd-stale"))) {
            assertThat(VALUES.operation(Keys.op(op.origin(), op.originSeq()), op.origin(), op.originSeq(), Values.operation(op)))
                    .isEqualTo(op);
        }
        for (City c : List.of(city(ESPA), city(ESPA, RENAMED), city(ESPA, RENAMED, GONE), City.applying(null, GONE))) {
            assertThat(VALUES.city(CITY_KEY, "Tatooine", ESPA.cityId(), Values.city("Tatooine", c))).isEqualTo(c);
        }
        assertThat(VALUES.clock(Keys.clock("Hoth"), "Hoth", Values.clock("Hoth", MORE.clock()))).isEqualTo(MORE.clock());
        assertThat(VALUES.records(Keys.command("cmd-x"), ESPA.commandId(),
                Values.records(List.of(record(ESPA), new CommandRecord(ESPA.commandId(), R2, 4,
                        "Tatooine", OpKind.Refusal, clock(0, 0, 0))))))
                .hasSize(2).first().isEqualTo(record(ESPA));
        assertThat(VALUES.ids(Keys.name("Tatooine", "Mos_Espa"), Values.ids(List.of("fulcrum-1:1", "fulcrum-2:9"))))
                .containsExactly("fulcrum-1:1", "fulcrum-2:9");
        List<IncarnationStart> starts = List.of(new IncarnationStart(1, 1), new IncarnationStart(2, 300));
        assertThat(VALUES.starts(Keys.incarnations(R1), Values.starts(starts))).isEqualTo(starts);
    }

    @Test
    void aBinaryValueIsSmallerThanFormatTwosJson() {
        assertThat(Values.operation(ESPA)).hasSizeLessThan(FulcrumJson.write(ESPA).length / 2);
        assertThat(Values.city("Tatooine", city(ESPA, RENAMED))).hasSizeLessThan(
                FulcrumJson.write(new CityEntry("Tatooine", city(ESPA, RENAMED))).length / 2);
    }

    @Test
    void everyTruncationAndAnyTrailingByteIsRefused() {
        byte[] whole = Values.city("Tatooine", city(ESPA, RENAMED, GONE));
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertRefused(v -> VALUES.city(CITY_KEY, "Tatooine", ESPA.cityId(), cut), "is not a valid city");
        }
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        assertRefused(v -> VALUES.city(CITY_KEY, "Tatooine", ESPA.cityId(), longer), "1 byte(s) after its end");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"planet\":\"Tatooine\"}", "[\"fulcrum-1:1\"]"})
    void formatTwosJsonIsRefusedAndNamed(String json) {
        assertRefused(v -> VALUES.city(CITY_KEY, "Tatooine", ESPA.cityId(), Keys.utf8(json)), "as JSON begins");
    }

    @Test
    void anotherTypesValueIsRefused() {
        assertRefused(v -> VALUES.city(CITY_KEY, "Tatooine", ESPA.cityId(), Values.operation(ESPA)),
                "its type tag is 3 where a city has 2");
    }

    @Test
    void malformedNumbersKindsAndFieldsAreRefused() {
        byte[] op = Values.operation(ESPA);
        // tag, origin (len 9 + 9 bytes), incarnation, seq, planet (len 8 + 8), kind, fields
        int kindAt = 1 + 1 + R1.length() + 1 + 1 + 1 + "Tatooine".length();
        byte[] badKind = op.clone();
        badKind[kindAt] = 9;
        assertRefused(v -> VALUES.operation(Keys.op(R1, 1), R1, 1, badKind), "unknown operation kind 9");
        byte[] badFields = op.clone();
        badFields[kindAt + 1] = (byte) 0x40;
        assertRefused(v -> VALUES.operation(Keys.op(R1, 1), R1, 1, badFields), "unknown fields");
        byte[] fieldsOfAnotherKind = op.clone();
        fieldsOfAnotherKind[kindAt] = 5; // a refusal with a city, a name and a count
        assertRefused(v -> VALUES.operation(Keys.op(R1, 1), R1, 1, fieldsOfAnotherKind), "takes no cityId");
        byte[] redundant = {Values.STARTS, 1, (byte) 0x81, 0, 1};
        assertRefused(v -> VALUES.starts(Keys.incarnations(R1), redundant), "redundant byte");
        byte[] tooLong = {Values.STARTS, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 1};
        assertRefused(v -> VALUES.starts(Keys.incarnations(R1), tooLong), "longer than 63 bits");
        byte[] hugeCount = {Values.IDS, (byte) 0xFF, (byte) 0xFF, 0x7F};
        assertRefused(v -> VALUES.ids(Keys.name("Tatooine", "X"), hugeCount), "items with 0 byte(s) left");
        byte[] zeroIncarnation = {Values.STARTS, 1, 0, 1};
        assertRefused(v -> VALUES.starts(Keys.incarnations(R1), zeroIncarnation), "incarnation is positive");
        assertRefused(v -> VALUES.ids(Keys.name("Tatooine", "X"), Values.ids(List.of("b", "a"))), "sorted list");
        assertRefused(v -> VALUES.records(Keys.command("c"), "c", Values.records(List.of())), "empty list");
    }

    @Test
    void aValueUnderAnotherKeyIsRefused() {
        assertRefused(v -> VALUES.city(Keys.city("Naboo", ESPA.cityId()), "Naboo", ESPA.cityId(),
                Values.city("Tatooine", city(ESPA))), "has planet 'Tatooine'");
        assertRefused(v -> VALUES.operation(Keys.op(R1, 2), R1, 2, Values.operation(ESPA)), "has sequence number '1'");
    }

    @Test
    void aNegativeNumberIsNeverWritten() {
        assertThatThrownBy(() -> new fulcrum.common.binary.BinaryWriter(Values.STARTS, 4).number(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never negative");
    }

    private static void assertRefused(Consumer<Void> read, String message) {
        assertThatThrownBy(() -> read.accept(null))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("in /data/fulcrum-1")
                .hasMessageContaining(message);
    }
}
