package fulcrum.common.wire;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Stamp;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.PlanetClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Seeded random values of the types a replica stores and ships, with the edges that JSON gets
 * wrong: every op kind, absent optional fields, texts that need escaping or are not ASCII, numbers
 * at the limits of int, of a double's exact integers and of long, empty and wide clocks.
 */
final class ReplicaSamples {
    private static final String[] TEXTS = {
            "", "fulcrum-1", "fulcrum-2:17", "Tatooine", "Mos_Espa", "a b", "quote\"d", "back\\slash", "slash/ed",
            "tab\there", "line\nbreak", "nul\u0000byte", "bell\u0007", "del\u007f", "café", "Straße", "中文", "日本語の街",
            "e\u0301", "\u2028\u2029", "bom\ufeff", "rocket🚀", "𝄞 clef", "\uffff", "<script>", "{\"json\":1}",
    };
    private static final long[] EDGE_NUMBERS = {
            0, 1, 2, 9, 10, 99, 100, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, 1L << 53, (1L << 53) + 1,
            Long.MAX_VALUE - 1, Long.MAX_VALUE,
    };

    private final Random random;

    ReplicaSamples(long seed) {
        this.random = new Random(seed);
    }

    String text() {
        return switch (random.nextInt(6)) {
            case 0, 1 -> TEXTS[random.nextInt(TEXTS.length)];
            case 2 -> "fulcrum-" + random.nextInt(10);
            case 3 -> TEXTS[random.nextInt(TEXTS.length)] + TEXTS[random.nextInt(TEXTS.length)];
            case 4 -> randomChars(random.nextInt(random.nextInt(10) == 0 ? 3000 : 40));
            default -> Long.toString(random.nextLong(), 36);
        };
    }

    /** Characters of every width in UTF-8, controls included; surrogates only in valid pairs. */
    private String randomChars(int length) {
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            int codePoint = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> 0x20 + random.nextInt(0x60);
                case 2 -> 0x80 + random.nextInt(0x780);
                case 3 -> 0x800 + random.nextInt(0xD800 - 0x800);
                default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
            };
            sb.appendCodePoint(codePoint);
        }
        return sb.toString();
    }

    /** 0 or more, edges often. */
    long count() {
        return random.nextBoolean() ? EDGE_NUMBERS[random.nextInt(EDGE_NUMBERS.length)] : random.nextLong() >>> (1 + random.nextInt(63));
    }

    /** 1 or more. */
    long positive() {
        return Math.max(1, count());
    }

    /** Any long, negative ones included (an operation's count is checked by the node, not the record). */
    long anyLong() {
        long n = count();
        return random.nextInt(4) == 0 ? -n - (random.nextBoolean() ? 0 : 1) : n;
    }

    VectorClock clock() {
        TreeMap<String, Long> entries = new TreeMap<>();
        int size = random.nextInt(10) == 0 ? 20 : random.nextInt(5);
        for (int i = 0; i < size; i++) {
            entries.put(random.nextBoolean() ? "fulcrum-" + i : text(), count());
        }
        return VectorClock.of(entries);
    }

    Stamp stamp() {
        return new Stamp(positive(), text());
    }

    Operation operation() {
        return operation(OpKind.values()[random.nextInt(OpKind.values().length)]);
    }

    Operation operation(OpKind kind) {
        boolean named = kind == OpKind.AddCity || kind == OpKind.UpdateName;
        boolean counted = kind == OpKind.AddCity || kind == OpKind.UpdateNumber;
        return new Operation(text(), positive(), positive(), text(), kind, kind.changesState() ? text() : null,
                named ? text() : null, counted ? anyLong() : null, clock(), text());
    }

    /** An entry as a node publishes it: its count, if any, never negative (binary holds no negative number). */
    Operation shippable(OpKind kind) {
        Operation op = operation(kind);
        return op.rebels() == null || op.rebels() >= 0 ? op
                : new Operation(op.origin(), op.incarnation(), op.originSeq(), op.planet(), kind, op.cityId(), op.name(),
                        count(), op.clock(), op.commandId());
    }

    City city() {
        return new City(text(), maybe(this::stamp), maybe(() -> new Register<>(text(), stamp())),
                maybe(() -> new Register<>(anyLong(), stamp())), maybe(this::stamp));
    }

    CityEntry cityEntry() {
        return new CityEntry(text(), city());
    }

    PlanetClock planetClock() {
        return new PlanetClock(text(), clock());
    }

    CommandRecord commandRecord() {
        return new CommandRecord(text(), text(), positive(), text(), OpKind.values()[random.nextInt(OpKind.values().length)],
                clock());
    }

    <T> List<T> listOf(java.util.function.Supplier<T> element) {
        List<T> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            list.add(element.get());
        }
        return list;
    }

    private <T> T maybe(java.util.function.Supplier<T> value) {
        return random.nextInt(3) == 0 ? null : value.get();
    }
}
