package fulcrum.store;

import com.fasterxml.jackson.core.type.TypeReference;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.PlanetClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Format-2 values: the project's canonical JSON ({@link FulcrumJson}; replies through
 * {@link ReplyCodec}, the bytes a client sees), numbers and the phase as decimal/plain text.
 *
 * <p>A city and a clock are stored with their planet ({@link CityEntry}, {@link PlanetClock}) and
 * an op and a command record carry their ids, so that every read can check that the value belongs
 * under its key: a value filed under the wrong key is refused, never served. Each decode parses,
 * then compares with the key, and throws {@link StoreCorruptedException} naming the key and store.
 */
final class Values {
    private static final TypeReference<List<IncarnationStart>> STARTS = new TypeReference<>() {
    };
    private static final byte[] EMPTY = new byte[0];

    private final Path dir;

    Values(Path dir) {
        this.dir = dir;
    }

    static byte[] clock(String planet, VectorClock clock) {
        return FulcrumJson.write(new PlanetClock(planet, clock));
    }

    static byte[] city(String planet, City city) {
        return FulcrumJson.write(new CityEntry(planet, city));
    }

    static byte[] operation(Operation op) {
        return FulcrumJson.write(op);
    }

    static byte[] reply(Reply reply) {
        return ReplyCodec.encode(reply);
    }

    static byte[] records(List<CommandRecord> records) {
        return FulcrumJson.write(records);
    }

    static byte[] ids(java.util.Collection<String> ids) {
        return FulcrumJson.write(ids);
    }

    static byte[] starts(List<IncarnationStart> starts) {
        return FulcrumJson.write(starts);
    }

    static byte[] number(long value) {
        return Keys.utf8(Long.toString(value));
    }

    static byte[] text(String value) {
        return Keys.utf8(value);
    }

    /** A name-index entry says everything in its key. */
    static byte[] empty() {
        return EMPTY;
    }

    VectorClock clock(byte[] key, String planet, byte[] value) {
        PlanetClock c = parse(key, value, PlanetClock.class);
        expect(key, "planet", planet, c.planet());
        return c.clock();
    }

    City city(byte[] key, String planet, String cityId, byte[] value) {
        CityEntry c = parse(key, value, CityEntry.class);
        expect(key, "planet", planet, c.planet());
        expect(key, "city id", cityId, c.city().id());
        return c.city();
    }

    Operation operation(byte[] key, String origin, long seq, byte[] value) {
        Operation op = parse(key, value, Operation.class);
        expect(key, "origin", origin, op.origin());
        expect(key, "sequence number", seq, op.originSeq());
        return op;
    }

    Reply reply(byte[] key, byte[] value) {
        try {
            return ReplyCodec.decode(value);
        } catch (RuntimeException e) {
            throw corrupted(key, "is not a reply: " + e.getMessage(), e);
        }
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<List<CommandRecord>> RECORDS =
            new com.fasterxml.jackson.core.type.TypeReference<>() {
            };
    private static final com.fasterxml.jackson.core.type.TypeReference<List<String>> IDS =
            new com.fasterxml.jackson.core.type.TypeReference<>() {
            };

    /** The records of one command id: a non-empty list, each of that id, no (origin, seq) twice. */
    List<CommandRecord> records(byte[] key, String commandId, byte[] value) {
        List<CommandRecord> records;
        try {
            records = FulcrumJson.MAPPER.readValue(value, RECORDS);
        } catch (IOException | RuntimeException e) {
            throw corrupted(key, "is not a list of command records: " + e.getMessage(), e);
        }
        if (records == null || records.isEmpty() || records.contains(null)) {
            throw corrupted(key, "is not a list of command records: " + text(value), null);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (CommandRecord r : records) {
            expect(key, "command id", commandId, r.commandId());
            if (!seen.add(r.origin() + "#" + r.originSeq())) {
                throw corrupted(key, "holds " + r.origin() + "#" + r.originSeq() + " twice", null);
            }
        }
        return records;
    }

    /** The ids filed under one name: a non-empty sorted list of distinct non-empty ids. */
    List<String> ids(byte[] key, byte[] value) {
        List<String> ids;
        try {
            ids = FulcrumJson.MAPPER.readValue(value, IDS);
        } catch (IOException | RuntimeException e) {
            throw corrupted(key, "is not a list of city ids: " + e.getMessage(), e);
        }
        if (ids == null || ids.isEmpty() || ids.contains(null) || ids.stream().anyMatch(String::isEmpty)
                || !new java.util.ArrayList<>(new java.util.TreeSet<>(ids)).equals(ids)) {
            throw corrupted(key, "is not a sorted list of distinct city ids: " + text(value), null);
        }
        return ids;
    }

    List<IncarnationStart> starts(byte[] key, byte[] value) {
        List<IncarnationStart> starts;
        try {
            starts = FulcrumJson.MAPPER.readValue(value, STARTS);
        } catch (IOException | RuntimeException e) {
            throw corrupted(key, "is not a list of incarnation starts: " + e.getMessage(), e);
        }
        if (starts == null || starts.isEmpty() || starts.contains(null)) {
            throw corrupted(key, "is not a list of incarnation starts: " + text(value), null);
        }
        return starts;
    }

    long number(byte[] key, byte[] value) {
        try {
            long n = Long.parseLong(text(value));
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw corrupted(key, "is not a non-negative number: '" + text(value) + "'", e);
        }
    }

    Phase phase(byte[] key, byte[] value) {
        try {
            return Phase.valueOf(text(value));
        } catch (IllegalArgumentException e) {
            throw corrupted(key, "is not a phase: '" + text(value) + "'", e);
        }
    }

    void emptyValue(byte[] key, byte[] value) {
        if (value.length != 0) {
            throw corrupted(key, "should be empty, holds " + value.length + " byte(s)", null);
        }
    }

    StoreCorruptedException corrupted(byte[] key, String what, Throwable cause) {
        return new StoreCorruptedException("value of " + Keys.describe(key) + " in " + dir + " " + what, cause);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Parses canonical JSON of {@code type}; what does not parse is corrupted. */
    <T> T parse(byte[] key, byte[] value, Class<T> type) {
        T parsed;
        try {
            parsed = FulcrumJson.MAPPER.readValue(value, type);
        } catch (IOException | RuntimeException e) {
            throw corrupted(key, "is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        if (parsed == null) {
            throw corrupted(key, "is not a " + type.getSimpleName() + ": null", null);
        }
        return parsed;
    }

    private void expect(byte[] key, String field, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            throw corrupted(key, "has " + field + " '" + actual + "'", null);
        }
    }
}
