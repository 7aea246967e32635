package fulcrum.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CommandRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * Every typed read of a format-3 store, by key or by a bounded key range, each value checked
 * against its key ({@link Values}). One instance reads the live database, one reads a snapshot
 * (its {@link ReadOptions} pin it); both go through a {@link Guard} so that nothing touches a
 * closed handle.
 */
final class Reads {
    /** How many entries a streaming scan holds at once. */
    static final int PAGE = 512;

    /** Sees one entry of a scan; returns false to stop. */
    interface Visitor {
        boolean visit(byte[] key, byte[] value);
    }

    /** Turns one entry of a streaming scan into an item, or null to skip it. */
    interface Decoder<T> {
        T decode(byte[] key, byte[] value);
    }

    private final RocksDB db;
    private final ReadOptions read;
    private final Guard guard;
    private final Path dir;
    private final Values values;

    Reads(RocksDB db, ReadOptions read, Guard guard, Path dir) {
        this.db = db;
        this.read = read;
        this.guard = guard;
        this.dir = dir;
        this.values = new Values(dir);
    }

    Values values() {
        return values;
    }

    Path dir() {
        return dir;
    }

    byte[] get(byte[] key) {
        return guard.call(() -> {
            try {
                return db.get(read, key);
            } catch (RocksDBException e) {
                throw new StoreException("read of " + Keys.describe(key) + " from " + dir + " failed: " + e.getMessage(), e);
            }
        });
    }

    /**
     * Read options that keep an iterator inside {@code prefix}. Without bounds a seek past the last
     * live key of a range walks on over every deleted key after it (the op log's compacted entries
     * are point deletes until RocksDB compacts them away): in a profile of the write path, seeks
     * for an origin's next held entry spent a third of the worker's time skipping tombstones.
     */
    private Bounded bounded(byte[] prefix) {
        if (prefix.length == 0) {
            return new Bounded(new ReadOptions(read), null, null);
        }
        Slice lower = new Slice(prefix);
        Slice upper = new Slice(Keys.prefixEnd(prefix));
        ReadOptions options = new ReadOptions(read).setIterateLowerBound(lower).setIterateUpperBound(upper);
        return new Bounded(options, lower, upper);
    }

    /** Read options and the bounds they point to, closed together after the iterator. */
    private record Bounded(ReadOptions options, Slice lower, Slice upper) implements AutoCloseable {
        @Override
        public void close() {
            options.close();
            if (lower != null) {
                lower.close();
                upper.close();
            }
        }
    }

    /** Visits the entries that start with {@code prefix}, from key {@code from} on, in key order. */
    void scan(byte[] prefix, byte[] from, Visitor visitor) {
        guard.run(() -> {
            try (Bounded b = bounded(prefix); RocksIterator it = db.newIterator(b.options)) {
                for (it.seek(from); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                    if (!visitor.visit(it.key(), it.value())) {
                        return;
                    }
                }
                try {
                    it.status();
                } catch (RocksDBException e) {
                    throw new StoreException("cannot read " + dir + ": " + e.getMessage(), e);
                }
            }
        });
    }

    /** The first key at or after {@code from} that starts with {@code prefix}, or null. */
    byte[] firstKey(byte[] prefix, byte[] from) {
        byte[][] found = new byte[1][];
        scan(prefix, from, (k, v) -> {
            found[0] = k;
            return false;
        });
        return found[0];
    }

    /** The highest sequence number in {@code origin}'s op log, or 0 (one backward seek). */
    long lastOperationSeq(String origin) {
        byte[] prefix = Keys.opPrefix(origin);
        return guard.call(() -> {
            try (Bounded b = bounded(prefix); RocksIterator it = db.newIterator(b.options)) {
                it.seekForPrev(Keys.prefixEnd(prefix));
                if (it.isValid() && Arrays.equals(it.key(), Keys.prefixEnd(prefix))) {
                    it.prev();
                }
                if (!it.isValid() || !Keys.startsWith(it.key(), prefix)) {
                    return 0L;
                }
                return Keys.opSeq(it.key());
            }
        });
    }

    /** Whether the store holds any key at all. */
    boolean anyKey() {
        return firstKey(new byte[0], new byte[0]) != null;
    }

    VectorClock planetClock(String planet) {
        byte[] key = Keys.clock(planet);
        byte[] value = get(key);
        return value == null ? null : values.clock(key, planet, value);
    }

    City city(String planet, String cityId) {
        byte[] key = Keys.city(planet, cityId);
        byte[] value = get(key);
        return value == null ? null : values.city(key, planet, cityId, value);
    }

    List<String> cityIdsNamed(String planet, String name) {
        byte[] key = Keys.name(planet, name);
        byte[] value = get(key);
        return value == null ? List.of() : values.ids(key, value);
    }

    Reply reply(String commandId) {
        byte[] key = Keys.reply(commandId);
        byte[] value = get(key);
        return value == null ? null : values.reply(key, value);
    }

    List<CommandRecord> commandRecords(String commandId) {
        byte[] key = Keys.command(commandId);
        byte[] value = get(key);
        if (value == null) {
            return List.of();
        }
        List<CommandRecord> records = new ArrayList<>(values.records(key, commandId, value));
        records.sort(java.util.Comparator.comparing(CommandRecord::origin).thenComparingLong(CommandRecord::originSeq));
        return records;
    }

    List<Operation> operations(String origin, long fromSeq, int limit) {
        List<Operation> ops = new ArrayList<>();
        if (limit <= 0) {
            return ops;
        }
        scan(Keys.opPrefix(origin), Keys.op(origin, Math.max(0, fromSeq)), (k, v) -> {
            ops.add(operation(k, v));
            return ops.size() < limit;
        });
        return ops;
    }

    /** A planet's clock and cities, read through one iterator (one point in time), or null. */
    Planet planet(String name) {
        byte[] clockKey = Keys.clock(name);
        byte[] cityPrefix = Keys.cityPrefix(name);
        return guard.call(() -> {
            try (RocksIterator it = db.newIterator(read)) {
                it.seek(clockKey);
                if (!it.isValid() || !Arrays.equals(it.key(), clockKey)) {
                    return null;
                }
                VectorClock clock = values.clock(clockKey, name, it.value());
                TreeMap<String, City> cities = new TreeMap<>();
                for (it.seek(cityPrefix); it.isValid() && Keys.startsWith(it.key(), cityPrefix); it.next()) {
                    City city = city(it.key(), it.value());
                    cities.put(city.id(), city);
                }
                it.status();
                return new Planet(name, clock, cities);
            } catch (RocksDBException e) {
                throw new StoreException("cannot read planet " + name + " from " + dir + ": " + e.getMessage(), e);
            }
        });
    }

    /** Every planet, one at a time (never the whole state in memory). */
    Iterable<Planet> planets() {
        Iterable<String> names = stream(Keys.CLOCK, (k, v) -> clockKeyPlanet(k));
        return () -> new PagedIterator.Mapped<>(names.iterator(), this::planet);
    }

    Iterable<Operation> allOperations() {
        return stream(Keys.OP, this::operation);
    }

    Iterable<CommandRecord> allCommandRecords() {
        Iterable<List<CommandRecord>> lists = stream(Keys.COMMAND, this::records);
        return () -> new PagedIterator.Flattened<>(lists.iterator());
    }

    /** Every entry under {@code prefix}, decoded, read {@link #PAGE} entries at a time. */
    <T> Iterable<T> stream(byte[] prefix, Decoder<T> decoder) {
        return () -> new PagedIterator<>(this, prefix, decoder);
    }

    String clockKeyPlanet(byte[] key) {
        List<String> parts = Keys.parts(key, Keys.CLOCK, 1);
        if (parts == null) {
            throw values.corrupted(key, "is filed under a key that is not a planet name", null);
        }
        return parts.get(0);
    }

    VectorClock clock(byte[] key, byte[] value) {
        return values.clock(key, clockKeyPlanet(key), value);
    }

    City city(byte[] key, byte[] value) {
        List<String> parts = Keys.parts(key, Keys.CITY, 2);
        if (parts == null) {
            throw values.corrupted(key, "is filed under a key that is not planet, city id", null);
        }
        return values.city(key, parts.get(0), parts.get(1), value);
    }

    /** The planet of a city key (checked by {@link #city}). */
    static String cityKeyPlanet(byte[] key) {
        return Keys.parts(key, Keys.CITY, 2).get(0);
    }

    Operation operation(byte[] key, byte[] value) {
        String origin = Keys.opOrigin(key);
        if (origin == null) {
            throw values.corrupted(key, "is filed under a key that is not origin, sequence number", null);
        }
        return values.operation(key, origin, Keys.opSeq(key), value);
    }

    List<CommandRecord> records(byte[] key, byte[] value) {
        List<String> parts = Keys.parts(key, Keys.COMMAND, 1);
        if (parts == null) {
            throw values.corrupted(key, "is filed under a key that is not a command id", null);
        }
        return values.records(key, parts.get(0), value);
    }
}
