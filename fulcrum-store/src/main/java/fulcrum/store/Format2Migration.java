package fulcrum.store;

import com.fasterxml.jackson.core.type.TypeReference;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.PlanetClock;
import java.io.IOException;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Migrates a format-2 store (the same keys, the values as canonical JSON) to format 3 (binary
 * values, see {@link Values}) in place, crash-safely:
 * <ol>
 *   <li>every JSON value of a clock, city, name-index entry, op-log entry, command record and
 *       incarnation-start list is parsed, written again in binary under the same key, and read back
 *       through the format-3 checks (the value belongs under its key); {@link #CHUNK} keys per
 *       unsynced write, which bounds the memory a large store's migration holds;</li>
 *   <li>one synced batch sets {@code meta/format} to 3 (the WAL is in order: every rewrite before it
 *       is on disk with it).</li>
 * </ol>
 * A crash before step 2 leaves a format-2 store of which some values are binary already: the next
 * open migrates again, checking those (a binary value starts with a type tag of 1 to 6, a JSON one
 * with <code>{</code> or <code>[</code>) and rewriting the rest. Replies (the client's JSON bytes),
 * marks and the phase are the same in both formats. A value that is neither is refused, with
 * nothing of it rewritten: the store is left for the operator, as any corrupted store.
 */
final class Format2Migration {
    static final int CHUNK = 4096;
    private static final TypeReference<List<CommandRecord>> RECORDS = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> IDS = new TypeReference<>() {
    };
    private static final TypeReference<List<IncarnationStart>> STARTS = new TypeReference<>() {
    };

    /** One family's rewrite: the JSON value parsed and encoded again, and the check of a format-3 value. */
    private interface Rewrite {
        byte[] binary(byte[] json) throws IOException;
    }

    private interface Check {
        void check(byte[] key, byte[] value);
    }

    private final RocksDB db;
    private final Tuning tuning;
    private final Reads reads;
    private WriteBatch chunk = new WriteBatch();
    private int chunkKeys;
    private long rewritten;

    private Format2Migration(RocksDB db, Tuning tuning, Reads reads) {
        this.db = db;
        this.tuning = tuning;
        this.reads = reads;
    }

    /** Rewrites every value still in JSON, then says format 3; returns how many values were rewritten. */
    static long migrate(RocksDB db, Tuning tuning, Reads reads) {
        Format2Migration migration = new Format2Migration(db, tuning, reads);
        try {
            migration.run();
        } catch (StoreCorruptedException e) {
            throw new StoreCorruptedException("cannot migrate the format-2 store " + reads.dir() + " to format 3: "
                    + e.getMessage() + "; the value is left as it was. Move the directory away (the replica then "
                    + "rejoins from its peers), or run the previous version on it", e);
        } finally {
            migration.chunk.close();
        }
        return migration.rewritten;
    }

    private void run() {
        Values values = reads.values();
        rewrite(Keys.CLOCK, json -> {
            PlanetClock c = FulcrumJson.MAPPER.readValue(json, PlanetClock.class);
            return Values.clock(c.planet(), c.clock());
        }, reads::clock);
        rewrite(Keys.CITY, json -> {
            CityEntry c = FulcrumJson.MAPPER.readValue(json, CityEntry.class);
            return Values.city(c.planet(), c.city());
        }, reads::city);
        rewrite(Keys.NAME, json -> Values.ids(FulcrumJson.MAPPER.readValue(json, IDS)), values::ids);
        rewrite(Keys.OP, json -> Values.operation(FulcrumJson.MAPPER.readValue(json, Operation.class)), reads::operation);
        rewrite(Keys.COMMAND, json -> Values.records(FulcrumJson.MAPPER.readValue(json, RECORDS)), reads::records);
        rewrite(Keys.INCARNATIONS, json -> Values.starts(FulcrumJson.MAPPER.readValue(json, STARTS)), values::starts);
        write(chunk, false);
        try (WriteBatch done = new WriteBatch()) {
            done.put(Keys.FORMAT, Keys.utf8(OpenChecks.FORMAT_3));
            write(done, true);
        } catch (RocksDBException e) {
            throw new StoreException("cannot finish the migration of " + reads.dir() + ": " + e.getMessage(), e);
        }
    }

    private void rewrite(byte[] family, Rewrite rewrite, Check check) {
        reads.scan(family, family, (key, value) -> {
            if (value.length > 0 && (value[0] == '{' || value[0] == '[')) {
                byte[] binary;
                try {
                    binary = rewrite.binary(value);
                } catch (IOException | RuntimeException e) {
                    throw reads.values().corrupted(key, "is not format 2's JSON of it: " + e.getMessage(), e);
                }
                check.check(key, binary);
                put(key, binary);
            } else {
                check.check(key, value); // rewritten by a migration that stopped before its end
            }
            return true;
        });
    }

    private void put(byte[] key, byte[] value) {
        try {
            chunk.put(key, value);
        } catch (RocksDBException e) {
            throw new StoreException("cannot write the migration of " + reads.dir() + ": " + e.getMessage(), e);
        }
        rewritten++;
        if (++chunkKeys == CHUNK) {
            write(chunk, false);
            chunk.close();
            chunk = new WriteBatch();
            chunkKeys = 0;
        }
    }

    private void write(WriteBatch batch, boolean sync) {
        try {
            db.write(sync ? tuning.syncWrite() : tuning.plainWrite(), batch);
        } catch (RocksDBException e) {
            throw new StoreException("cannot write the migration of " + reads.dir() + ": " + e.getMessage(), e);
        }
    }
}
