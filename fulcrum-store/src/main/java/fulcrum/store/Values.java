package fulcrum.store;

import fulcrum.common.binary.BinaryReader;
import fulcrum.common.binary.BinaryWriter;
import fulcrum.common.binary.OperationBinary;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Reply;
import fulcrum.core.replica.Stamp;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.PlanetClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Format-3 values: the clock, city, op-log entry, command records, name index and incarnation starts
 * in a compact binary layout ({@link BinaryWriter}: a type tag, then the fields in a fixed order,
 * varint numbers, length-prefixed UTF-8 texts); replies as the bytes a client was sent
 * ({@link ReplyCodec}'s JSON); marks and the phase as decimal/plain text. Format 2 wrote the same
 * objects as canonical JSON: every write of a merge parsed and wrote field names and escaped texts,
 * and a JSON value was two to three times the size of its binary one, which the WAL, the flushes and
 * the compactions all paid for again.
 *
 * <p>A city and a clock are stored with their planet, and an op and a command record carry their ids,
 * so that every read can check that the value belongs under its key: a value filed under the wrong
 * key is refused, never served. Each decode reads the whole value (nothing may be left over), builds
 * the domain object (whose constructor checks its invariants), compares it with the key, and throws
 * {@link StoreCorruptedException} naming the key and store.
 */
final class Values {
    static final byte CLOCK = 1;
    static final byte CITY = 2;
    static final byte OPERATION = 3;
    static final byte RECORDS = 4;
    static final byte IDS = 5;
    static final byte STARTS = 6;

    private static final int CITY_PRESENT_CREATED = 1;
    private static final int CITY_PRESENT_NAME = 2;
    private static final int CITY_PRESENT_REBELS = 4;
    private static final int CITY_PRESENT_DELETED = 8;

    private final Path dir;

    Values(Path dir) {
        this.dir = dir;
    }

    static byte[] clock(String planet, VectorClock clock) {
        return new BinaryWriter(CLOCK, 64).text(planet).clock(clock).toBytes();
    }

    static byte[] city(String planet, City city) {
        int present = (city.createdAt() != null ? CITY_PRESENT_CREATED : 0) | (city.name() != null ? CITY_PRESENT_NAME : 0)
                | (city.rebels() != null ? CITY_PRESENT_REBELS : 0) | (city.deletedAt() != null ? CITY_PRESENT_DELETED : 0);
        BinaryWriter out = new BinaryWriter(CITY, 96).text(planet).text(city.id()).octet(present);
        if (city.createdAt() != null) {
            out.stamp(city.createdAt());
        }
        if (city.name() != null) {
            out.text(city.name().value()).stamp(city.name().stamp());
        }
        if (city.rebels() != null) {
            out.number(city.rebels().value()).stamp(city.rebels().stamp());
        }
        if (city.deletedAt() != null) {
            out.stamp(city.deletedAt());
        }
        return out.toBytes();
    }

    static byte[] operation(Operation op) {
        return OperationBinary.write(new BinaryWriter(OPERATION, 128), op).toBytes();
    }

    static byte[] reply(Reply reply) {
        return ReplyCodec.encode(reply);
    }

    static byte[] records(List<CommandRecord> records) {
        BinaryWriter out = new BinaryWriter(RECORDS, 96 * records.size()).number(records.size());
        for (CommandRecord r : records) {
            out.text(r.commandId()).text(r.origin()).number(r.originSeq()).text(r.planet()).octet(OperationBinary.kindCode(r.kind()))
                    .clock(r.clock());
        }
        return out.toBytes();
    }

    static byte[] ids(Collection<String> ids) {
        BinaryWriter out = new BinaryWriter(IDS, 16 * ids.size()).number(ids.size());
        for (String id : ids) {
            out.text(id);
        }
        return out.toBytes();
    }

    static byte[] starts(List<IncarnationStart> starts) {
        BinaryWriter out = new BinaryWriter(STARTS, 4 * starts.size()).number(starts.size());
        for (IncarnationStart s : starts) {
            out.number(s.incarnation()).number(s.firstSeq());
        }
        return out.toBytes();
    }

    static byte[] number(long value) {
        return Keys.utf8(Long.toString(value));
    }

    static byte[] text(String value) {
        return Keys.utf8(value);
    }

    VectorClock clock(byte[] key, String planet, byte[] value) {
        PlanetClock c = decode(key, value, CLOCK, "planet clock", in -> new PlanetClock(in.text(), in.clock()));
        expect(key, "planet", planet, c.planet());
        return c.clock();
    }

    City city(byte[] key, String planet, String cityId, byte[] value) {
        CityEntry c = decode(key, value, CITY, "city", in -> {
            String storedPlanet = in.text();
            String id = in.text();
            int present = in.octet();
            if ((present & ~(CITY_PRESENT_CREATED | CITY_PRESENT_NAME | CITY_PRESENT_REBELS | CITY_PRESENT_DELETED)) != 0) {
                throw new BinaryReader.Malformed("it has unknown fields (" + present + ")");
            }
            Stamp created = (present & CITY_PRESENT_CREATED) != 0 ? in.stamp() : null;
            Register<String> name = (present & CITY_PRESENT_NAME) != 0 ? new Register<>(in.text(), in.stamp()) : null;
            Register<Long> rebels = (present & CITY_PRESENT_REBELS) != 0 ? new Register<>(in.number(), in.stamp()) : null;
            Stamp deleted = (present & CITY_PRESENT_DELETED) != 0 ? in.stamp() : null;
            return new CityEntry(storedPlanet, new City(id, created, name, rebels, deleted));
        });
        expect(key, "planet", planet, c.planet());
        expect(key, "city id", cityId, c.city().id());
        return c.city();
    }

    Operation operation(byte[] key, String origin, long seq, byte[] value) {
        Operation op = decode(key, value, OPERATION, "op-log entry", OperationBinary::read);
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

    /** The records of one command id: a non-empty list, each of that id, no (origin, seq) twice. */
    List<CommandRecord> records(byte[] key, String commandId, byte[] value) {
        List<CommandRecord> records = decode(key, value, RECORDS, "list of command records", in -> {
            int n = in.count();
            List<CommandRecord> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new CommandRecord(in.text(), in.text(), in.number(), in.text(), OperationBinary.kindOf(in.octet()), in.clock()));
            }
            return out;
        });
        if (records.isEmpty()) {
            throw corrupted(key, "is an empty list of command records", null);
        }
        Set<String> seen = new HashSet<>();
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
        List<String> ids = decode(key, value, IDS, "list of city ids", in -> {
            int n = in.count();
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(in.text());
            }
            return out;
        });
        if (ids.isEmpty() || ids.stream().anyMatch(String::isEmpty) || !new ArrayList<>(new TreeSet<>(ids)).equals(ids)) {
            throw corrupted(key, "is not a sorted list of distinct city ids: " + ids, null);
        }
        return ids;
    }

    List<IncarnationStart> starts(byte[] key, byte[] value) {
        List<IncarnationStart> starts = decode(key, value, STARTS, "list of incarnation starts", in -> {
            int n = in.count();
            List<IncarnationStart> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new IncarnationStart(in.number(), in.number()));
            }
            return out;
        });
        if (starts.isEmpty()) {
            throw corrupted(key, "is an empty list of incarnation starts", null);
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

    StoreCorruptedException corrupted(byte[] key, String what, Throwable cause) {
        return new StoreCorruptedException("value of " + Keys.describe(key) + " in " + dir + " " + what, cause);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Reads a whole value of type {@code tag} with {@code body}; what is malformed or breaks a domain
     * object's invariants is corrupted.
     */
    private <T> T decode(byte[] key, byte[] value, byte tag, String type, Function<BinaryReader, T> body) {
        try {
            BinaryReader in = new BinaryReader(value, tag, type);
            T decoded = body.apply(in);
            in.end();
            return decoded;
        } catch (BinaryReader.Malformed | IllegalArgumentException | NullPointerException e) {
            throw corrupted(key, "is not a valid " + type + ": " + e.getMessage(), e);
        }
    }

    private void expect(byte[] key, String field, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            throw corrupted(key, "has " + field + " '" + actual + "'", null);
        }
    }
}
