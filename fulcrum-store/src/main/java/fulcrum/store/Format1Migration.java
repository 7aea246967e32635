package fulcrum.store;

import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import fulcrum.core.store.StoreMeta;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Migrates a format-1 store (one JSON value per planet, {@code meta/...}, {@code planet/...},
 * {@code op/...}, {@code dedup/...}) to the current format in place, crash-safely (format 2's keys
 * with format 3's values: a format-1 store skips format 2):
 * <ol>
 *   <li>{@link #writeNewKeys}: check all of format 1 as the old code did and write every new
 *       key next to it (no prefix is shared, so format 1 stays whole), a chunk at a time;</li>
 *   <li>{@link #finish}: one synced batch deletes the format-1 ranges and sets
 *       {@code meta/format} to 3.</li>
 * </ol>
 * A crash before step 2 leaves a format-1 store (with new keys beside it, which step 1
 * clears first), so the next open migrates again from the same content.
 *
 * <p>Mapping: each planet becomes its clock, one key per city and the name-index entries of its
 * live cities; each op entry gets incarnation 1 and a command record; each dedup record becomes a
 * reply; the marks stay; phase SERVING, incarnation 1, and incarnation 1 starting at 1 for every
 * origin with applied entries. The command ids of entries format 1 had compacted are unknown: they
 * get no command record (their replies still answer re-sent commands at this replica).
 */
final class Format1Migration {
    private static final String META = "meta/";
    private static final String APPLIED = "meta/applied/";
    private static final String COMPACTED = "meta/compacted/";
    private static final String PUBLISHED = "meta/published";
    private static final String REPLICA = "meta/replica";
    private static final String PLANET = "planet/";
    private static final String OP = "op/";
    private static final String DEDUP = "dedup/";
    private static final List<byte[]> FAMILIES = List.of(Keys.utf8(META), Keys.utf8(PLANET), Keys.utf8(OP), Keys.utf8(DEDUP));
    /** Keys per unsynced write: bounds the memory a large store's migration holds. */
    private static final int CHUNK = 4096;

    /** An op entry as format 1 wrote it: no incarnation, and only the four writes. */
    private record OldOperation(String origin, long originSeq, String planet, String kind, String cityId, String name,
                                Long rebels, VectorClock clock, String commandId) {
    }

    private final RocksDB db;
    private final Tuning tuning;
    private final Reads reads;
    private final String replicaId;
    private StoreBatch chunk = new StoreBatch();
    private StoreMeta target;

    private Format1Migration(RocksDB db, Tuning tuning, Reads reads, String replicaId) {
        this.db = db;
        this.tuning = tuning;
        this.reads = reads;
        this.replicaId = replicaId;
    }

    /** Both steps. */
    static void migrate(RocksDB db, Tuning tuning, Reads reads, String replicaId) {
        writeNewKeys(db, tuning, reads, replicaId);
        finish(db, tuning, reads);
    }

    /** Step 1: checks format 1 and writes the new keys beside it; format 1 stays whole. */
    static void writeNewKeys(RocksDB db, Tuning tuning, Reads reads, String replicaId) {
        new Format1Migration(db, tuning, reads, replicaId).run();
    }

    /** Step 2: one synced batch drops format 1 and says format 3. */
    static void finish(RocksDB db, Tuning tuning, Reads reads) {
        try (WriteBatch batch = new WriteBatch()) {
            for (byte[] family : FAMILIES) {
                batch.deleteRange(family, Keys.prefixEnd(family));
            }
            batch.put(Keys.FORMAT, Keys.utf8(OpenChecks.FORMAT_3)); // after the range that covers it
            db.write(tuning.syncWrite(), batch);
        } catch (RocksDBException e) {
            throw new StoreException("cannot finish the migration of " + reads.dir() + ": " + e.getMessage(), e);
        }
    }

    private void run() {
        String owner = text(reads.get(Keys.utf8(REPLICA)));
        if (!replicaId.equals(owner)) {
            throw new StoreCorruptedException("store " + reads.dir() + " belongs to replica '"
                    + (owner == null ? "(none)" : owner) + "', not to " + replicaId);
        }
        try {
            List<byte[]> known = new ArrayList<>(FAMILIES);
            known.addAll(Keys.FAMILIES);
            OpenChecks.onlyKnownKeys(reads, known);
            StoreBatch meta = readMeta();
            chunk.clearData(); // what an interrupted migration left
            migrateOperations();
            reads.scan(Keys.utf8(DEDUP), Keys.utf8(DEDUP), (k, v) -> {
                chunk.putReply(text(k).substring(DEDUP.length()), reads.values().reply(k, v));
                return flushIfFull();
            });
            reads.scan(Keys.utf8(PLANET), Keys.utf8(PLANET), (k, v) -> migratePlanet(k, v));
            write(chunk);
            chunk = meta;
            write(chunk);
        } catch (StoreCorruptedException | IllegalArgumentException e) {
            throw new StoreCorruptedException("cannot migrate the format-1 store " + reads.dir() + " to format 3: "
                    + e.getMessage() + "; the format-1 data is left as it was. Move the directory away (the replica then rejoins "
                    + "from its peers), or run the previous version on it", e);
        }
    }

    /** The marks, checked as a whole by {@link StoreMeta}; written last. */
    private StoreBatch readMeta() {
        TreeMap<String, Long> applied = new TreeMap<>();
        StoreBatch meta = new StoreBatch().putPhase(Phase.SERVING).putIncarnation(1);
        reads.scan(Keys.utf8(META), Keys.utf8(META), (k, v) -> {
            String key = text(k);
            if (key.startsWith(APPLIED) && key.length() > APPLIED.length()) {
                applied.put(key.substring(APPLIED.length()), reads.values().number(k, v));
            } else if (key.startsWith(COMPACTED) && key.length() > COMPACTED.length()) {
                long floor = reads.values().number(k, v);
                if (floor > 0) {
                    meta.compact(key.substring(COMPACTED.length()), floor);
                }
            } else if (key.equals(PUBLISHED)) {
                meta.putPublishedUpTo(reads.values().number(k, v));
            } else if (!key.equals(REPLICA) && !key.equals("meta/format")) {
                throw new StoreCorruptedException("unknown key " + key);
            }
            return true;
        });
        applied.forEach((origin, seq) -> {
            meta.putAppliedSeq(origin, seq);
            if (seq > 0) {
                meta.putIncarnationStart(origin, new IncarnationStart(1, 1));
            }
        });
        target = StoreMeta.fresh(replicaId).after(meta);
        return meta;
    }

    /** Op entries, with the old check: each origin's log holds exactly floor+1..applied. */
    private void migrateOperations() {
        TreeMap<String, long[]> seen = new TreeMap<>(); // origin -> {count, first, last}
        reads.scan(Keys.utf8(OP), Keys.utf8(OP), (k, v) -> {
            Operation op = operation(k, v);
            long[] s = seen.computeIfAbsent(op.origin(), o -> new long[] {0, op.originSeq(), 0});
            s[0]++;
            s[2] = op.originSeq();
            chunk.putOperation(op);
            putRecord(CommandRecord.of(op));
            return flushIfFull();
        });
        for (String origin : seen.keySet()) {
            if (target.applied(origin) == 0) {
                throw new StoreCorruptedException("operations of " + origin + " but no " + APPLIED + origin);
            }
        }
        for (Map.Entry<String, Long> e : target.appliedSeq().entrySet()) {
            long floor = target.compacted(e.getKey());
            long[] s = seen.getOrDefault(e.getKey(), new long[] {0, 0, 0});
            boolean whole = e.getValue() == floor ? s[0] == 0
                    : s[0] == e.getValue() - floor && s[1] == floor + 1 && s[2] == e.getValue();
            if (!whole) {
                throw new StoreCorruptedException("applied sequence of " + e.getKey() + " is " + e.getValue()
                        + " and compaction floor " + floor + ", but the op log holds " + s[0] + " operation(s) of it"
                        + (s[0] == 0 ? "" : " from #" + s[1] + " to #" + s[2]));
            }
        }
    }

    private Operation operation(byte[] k, byte[] v) {
        OldOperation old = parseJson(k, v, OldOperation.class);
        if (!text(k).equals(OP + old.origin() + "/" + String.format("%020d", old.originSeq()))) {
            throw reads.values().corrupted(k, "is operation " + old.origin() + "#" + old.originSeq(), null);
        }
        OpKind kind = OpKind.parse(String.valueOf(old.kind())).filter(OpKind::changesState)
                .orElseThrow(() -> reads.values().corrupted(k, "has kind '" + old.kind() + "'", null));
        return new Operation(old.origin(), 1, old.originSeq(), old.planet(), kind, old.cityId(), old.name(),
                old.rebels(), old.clock(), old.commandId());
    }

    private boolean migratePlanet(byte[] k, byte[] v) {
        Planet planet = parseJson(k, v, Planet.class);
        if (!text(k).equals(PLANET + planet.name())) {
            throw reads.values().corrupted(k, "is planet '" + planet.name() + "'", null);
        }
        chunk.putClock(planet.name(), planet.clock());
        Map<String, java.util.TreeSet<String>> named = new java.util.TreeMap<>(); // the planet's name index, written whole
        for (Map.Entry<String, City> e : planet.cities().entrySet()) {
            City city = e.getValue();
            if (city == null || !e.getKey().equals(city.id())) {
                throw reads.values().corrupted(k, "files city " + (city == null ? null : city.id()) + " under id "
                        + e.getKey(), null);
            }
            chunk.putCity(planet.name(), city);
            if (city.isLive()) {
                named.computeIfAbsent(city.name().value(), n -> new java.util.TreeSet<>()).add(city.id());
            }
            flushIfFull();
        }
        for (Map.Entry<String, java.util.TreeSet<String>> e : named.entrySet()) {
            chunk.putNamedIds(planet.name(), e.getKey(), e.getValue());
            flushIfFull();
        }
        return true;
    }

    /**
     * Adds {@code record} to its command id's records, written whole (a command refused at one replica
     * and applied at another has two): those of the chunk, else of the chunks written before it (none
     * while the first, which clears what an interrupted migration left, is not written yet).
     */
    private void putRecord(CommandRecord record) {
        List<CommandRecord> held = chunk.commandRecords().get(record.commandId());
        List<CommandRecord> all = new ArrayList<>(held != null ? held
                : chunk.clearsData() ? List.of() : reads.commandRecords(record.commandId()));
        all.add(record);
        chunk.putCommandRecords(record.commandId(), all);
    }

    private boolean flushIfFull() {
        if (chunk.size() >= CHUNK) {
            write(chunk);
            chunk = new StoreBatch();
        }
        return true;
    }

    private void write(StoreBatch batch) {
        try (WriteBatch out = new WriteBatch()) {
            BatchWriter.write(out, batch, target);
            db.write(tuning.plainWrite(), out);
        } catch (RocksDBException e) {
            throw new StoreException("cannot write the migration of " + reads.dir() + ": " + e.getMessage(), e);
        }
    }

    /** A format-1 value: canonical JSON of {@code type}; what does not parse is corrupted. */
    private <T> T parseJson(byte[] key, byte[] value, Class<T> type) {
        T parsed;
        try {
            parsed = FulcrumJson.MAPPER.readValue(value, type);
        } catch (IOException | RuntimeException e) {
            throw reads.values().corrupted(key, "is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        if (parsed == null) {
            throw reads.values().corrupted(key, "is not a " + type.getSimpleName() + ": null", null);
        }
        return parsed;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : Values.text(bytes);
    }
}
