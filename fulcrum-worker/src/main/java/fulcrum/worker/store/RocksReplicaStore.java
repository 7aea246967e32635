package fulcrum.worker.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The replica store in one RocksDB database (default column family). Keys are UTF-8 text, values
 * JSON (the project's canonical {@link FulcrumJson} form) or decimal text:
 *
 * <pre>
 * meta/format                      "1"                 layout version; anything else refuses to open
 * meta/replica                     "fulcrum-1"         the replica this store belongs to
 * meta/applied/&lt;origin&gt;            "17"                highest sequence number of origin applied here
 * meta/compacted/&lt;origin&gt;          "12"                compaction floor: op-log entries of origin up to it
 *                                                      were deleted (every replica had applied them)
 * meta/published                   "15"                own operations 1..15 were published and confirmed
 * planet/&lt;planet name&gt;             Planet JSON         name, clock, cities by city id
 * op/&lt;origin&gt;/&lt;seq, 20 digits&gt;     Operation JSON      op log; zero padding makes key order = seq order
 * dedup/&lt;command id&gt;               Reply JSON          (ReplyCodec) the reply of every executed write,
 *                                                      accepted or rejected; queries have none
 * </pre>
 *
 * Invariants checked at open (violations refuse to start with {@link StoreCorruptedException}):
 * every value parses; a planet's key is its name and each city's key its id; an op's key matches its
 * origin and sequence number; for every origin the op log holds exactly the operations
 * {@code meta/compacted/<origin>}+1..{@code meta/applied/<origin>} (floor 0 when absent); the floor
 * and {@code meta/published} do not exceed what was applied; no key outside these prefixes.
 *
 * <p>Every change goes through {@link #commit}: one {@link WriteBatch} written with
 * {@code sync=true}, so a batch is on disk, entirely, when commit returns, or not at all.
 */
public final class RocksReplicaStore implements ReplicaStore {
    public static final String FORMAT = "1";
    static final String META_FORMAT = "meta/format";
    static final String META_REPLICA = "meta/replica";
    static final String META_APPLIED = "meta/applied/";
    static final String META_COMPACTED = "meta/compacted/";
    static final String META_PUBLISHED = "meta/published";
    static final String PLANET = "planet/";
    static final String OP = "op/";
    static final String DEDUP = "dedup/";

    private static final ObjectMapper JSON = FulcrumJson.MAPPER;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final Options options;
    private final WriteOptions syncWrite;
    private final RocksDB db;
    private final StoredState loaded;
    private volatile boolean closed;

    private RocksReplicaStore(Path directory, Options options, WriteOptions syncWrite, RocksDB db, StoredState loaded) {
        this.directory = directory;
        this.options = options;
        this.syncWrite = syncWrite;
        this.db = db;
        this.loaded = loaded;
    }

    /**
     * Opens (creating when missing) the store of {@code replicaId} under {@code directory}, reads
     * and checks all of it but the dedup records (those are checked when read).
     *
     * @throws StoreException          when RocksDB cannot open the directory (locked, unwritable, ...)
     * @throws StoreCorruptedException when the content cannot be trusted
     */
    public static RocksReplicaStore open(Path directory, String replicaId) {
        Objects.requireNonNull(replicaId, "replicaId");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException("cannot create data directory " + directory + ": " + e.getMessage(), e);
        }
        Options options = new Options().setCreateIfMissing(true);
        WriteOptions syncWrite = new WriteOptions().setSync(true);
        RocksDB db;
        try {
            db = RocksDB.open(options, directory.toString());
        } catch (RocksDBException e) {
            syncWrite.close();
            options.close();
            throw new StoreException("cannot open RocksDB in " + directory + ": " + e.getMessage(), e);
        }
        try {
            StoredState state = initialiseAndLoad(db, syncWrite, directory, replicaId);
            return new RocksReplicaStore(directory, options, syncWrite, db, state);
        } catch (RuntimeException e) {
            db.close();
            syncWrite.close();
            options.close();
            throw e;
        }
    }

    /**
     * What {@link #readSnapshot(Path)} found in a replica's data directory.
     *
     * @param replicaId  the replica the store belongs to ({@code meta/replica})
     * @param state      planets, applied vector, published mark, compaction floors
     * @param operations the op log not yet compacted, ordered by origin then sequence number
     */
    public record Snapshot(String replicaId, StoredState state, List<Operation> operations) {
        public Snapshot {
            operations = List.copyOf(operations);
        }
    }

    /**
     * Reads a replica's whole store without writing to it (RocksDB read-only open, so it needs no
     * lock; meant for a stopped replica: on a running one it sees the state as of the open). Checks
     * everything {@link #open} checks.
     *
     * @throws StoreException          when the directory is missing or RocksDB cannot read it
     * @throws StoreCorruptedException when the content cannot be trusted or is not a Fulcrum store
     */
    public static Snapshot readSnapshot(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new StoreException("no data directory " + directory, null);
        }
        try (Options options = new Options().setCreateIfMissing(false);
             RocksDB db = RocksDB.openReadOnly(options, directory.toString())) {
            byte[] format = getOrNull(db, META_FORMAT);
            if (format == null || !FORMAT.equals(text(format))) {
                throw new StoreCorruptedException("store " + directory + " has layout version '"
                        + (format == null ? "(none)" : text(format)) + "', this worker reads version " + FORMAT);
            }
            byte[] owner = getOrNull(db, META_REPLICA);
            if (owner == null) {
                throw new StoreCorruptedException("store " + directory + " has no " + META_REPLICA + " key");
            }
            List<Operation> ops = new ArrayList<>();
            Scan scan = scan(db, directory, ops);
            checkPublished(scan.state(), text(owner), directory);
            return new Snapshot(text(owner), scan.state(), ops);
        } catch (RocksDBException e) {
            throw new StoreException("cannot open RocksDB in " + directory + " read-only: " + e.getMessage(), e);
        }
    }

    /**
     * The canonical text of a stopped replica's state ({@link CanonicalDump}, what {@code ./fulcrum
     * dump} prints): byte-identical for replicas that applied the same set of operations.
     *
     * @param replicaIds every replica of the cluster (the width of the clocks), e.g. fulcrum-1..3
     */
    public static String canonicalDump(Path directory, List<String> replicaIds) {
        StoredState state = readSnapshot(directory).state();
        return CanonicalDump.of(replicaIds, state.planets(), state.appliedSeq());
    }

    private static void checkPublished(StoredState state, String owner, Path dir) {
        long applied = state.appliedSeq().getOrDefault(owner, 0L);
        if (state.publishedUpTo() > applied) {
            throw new StoreCorruptedException("store " + dir + " is inconsistent: " + META_PUBLISHED + " is "
                    + state.publishedUpTo() + " but only " + applied + " own operation(s) were applied");
        }
    }

    public Path directory() {
        return directory;
    }

    @Override
    public StoredState loadState() {
        return loaded;
    }

    @Override
    public Optional<Reply> findReply(String commandId) {
        byte[] value = get(DEDUP + commandId);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ReplyCodec.decode(value));
        } catch (RuntimeException e) {
            throw new StoreCorruptedException("dedup record of command " + commandId + " in " + directory
                    + " does not parse: " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(CommitBatch batch) {
        ensureOpen();
        if (batch.isEmpty()) {
            return;
        }
        try (WriteBatch write = new WriteBatch()) {
            for (Planet planet : batch.planets().values()) {
                write.put(key(PLANET + planet.name()), json(planet));
            }
            for (Operation op : batch.operations()) {
                write.put(key(opKey(op.origin(), op.originSeq())), json(op));
            }
            for (Map.Entry<String, Reply> e : batch.replies().entrySet()) {
                write.put(key(DEDUP + e.getKey()), ReplyCodec.encode(e.getValue()));
            }
            for (Map.Entry<String, Long> e : batch.appliedSeq().entrySet()) {
                write.put(key(META_APPLIED + e.getKey()), key(Long.toString(e.getValue())));
            }
            for (Map.Entry<String, Long> e : batch.compactUpTo().entrySet()) {
                write.deleteRange(key(opKey(e.getKey(), 0)), key(opKey(e.getKey(), e.getValue() + 1)));
                write.put(key(META_COMPACTED + e.getKey()), key(Long.toString(e.getValue())));
            }
            if (batch.publishedUpTo() != null) {
                write.put(key(META_PUBLISHED), key(Long.toString(batch.publishedUpTo())));
            }
            db.write(syncWrite, write);
        } catch (RocksDBException e) {
            throw new StoreException("synced write to " + directory + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long countOperations() {
        ensureOpen();
        long count = 0;
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(key(OP)); it.isValid() && startsWith(it.key(), OP); it.next()) {
                count++;
            }
        }
        return count;
    }

    @Override
    public List<Operation> listOperations() {
        ensureOpen();
        List<Operation> ops = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(key(OP)); it.isValid() && startsWith(it.key(), OP); it.next()) {
                ops.add(parseOperation(text(it.key()), it.value(), directory));
            }
        }
        return ops;
    }

    @Override
    public List<Operation> operationsAfter(String origin, long afterSeq, int limit) {
        ensureOpen();
        String prefix = OP + origin + "/";
        List<Operation> ops = new ArrayList<>();
        try (ReadOptions read = new ReadOptions(); RocksIterator it = db.newIterator(read)) {
            for (it.seek(key(opKey(origin, afterSeq + 1))); it.isValid() && startsWith(it.key(), prefix)
                    && ops.size() < limit; it.next()) {
                ops.add(parseOperation(text(it.key()), it.value(), directory));
            }
        }
        return ops;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            // every commit was synced already; nothing is lost
        }
        db.close();
        syncWrite.close();
        options.close();
    }

    // ---- loading and validation -------------------------------------------------------------

    private static StoredState initialiseAndLoad(RocksDB db, WriteOptions syncWrite, Path dir, String replicaId) {
        byte[] format = getOrNull(db, META_FORMAT);
        if (format == null) {
            if (hasAnyKey(db)) {
                throw new StoreCorruptedException("store " + dir + " has data but no " + META_FORMAT + " key");
            }
            try (WriteBatch init = new WriteBatch()) {
                init.put(key(META_FORMAT), key(FORMAT));
                init.put(key(META_REPLICA), key(replicaId));
                db.write(syncWrite, init);
            } catch (RocksDBException e) {
                throw new StoreException("cannot initialise store " + dir + ": " + e.getMessage(), e);
            }
        } else if (!FORMAT.equals(text(format))) {
            throw new StoreCorruptedException("store " + dir + " has layout version '" + text(format)
                    + "', this worker reads version " + FORMAT);
        }
        byte[] owner = getOrNull(db, META_REPLICA);
        if (owner == null || !replicaId.equals(text(owner))) {
            throw new StoreCorruptedException("store " + dir + " belongs to replica '"
                    + (owner == null ? "(none)" : text(owner)) + "', not to " + replicaId);
        }

        StoredState state = scan(db, dir, null).state();
        checkPublished(state, replicaId, dir);
        return state;
    }

    /** What a full scan of a store found; {@code operations} only when asked for. */
    private record Scan(StoredState state, List<Operation> operations) {
    }

    /** Reads and checks every key but the dedup records; collects the op log when {@code ops} is not null. */
    private static Scan scan(RocksDB db, Path dir, List<Operation> ops) {
        TreeMap<String, Planet> planets = new TreeMap<>();
        TreeMap<String, Long> applied = new TreeMap<>();
        TreeMap<String, Long> compacted = new TreeMap<>();
        long published = 0;
        TreeMap<String, long[]> opStats = new TreeMap<>(); // origin -> {count, min seq, max seq}
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                String k = text(it.key());
                byte[] v = it.value();
                if (k.startsWith(PLANET)) {
                    Planet p = parsePlanet(k, v, dir);
                    planets.put(p.name(), p);
                } else if (k.startsWith(OP)) {
                    Operation op = parseOperation(k, v, dir);
                    long[] stats = opStats.computeIfAbsent(op.origin(), o -> new long[] {0, Long.MAX_VALUE, 0});
                    stats[0]++;
                    stats[1] = Math.min(stats[1], op.originSeq());
                    stats[2] = Math.max(stats[2], op.originSeq());
                    if (ops != null) {
                        ops.add(op);
                    }
                } else if (k.startsWith(META_APPLIED)) {
                    applied.put(k.substring(META_APPLIED.length()), parseSeq(k, v, dir));
                } else if (k.startsWith(META_COMPACTED)) {
                    compacted.put(k.substring(META_COMPACTED.length()), parseSeq(k, v, dir));
                } else if (k.equals(META_PUBLISHED)) {
                    published = parseSeq(k, v, dir);
                } else if (k.startsWith(DEDUP) || k.equals(META_FORMAT) || k.equals(META_REPLICA)) {
                    continue; // dedup records are checked when read
                } else {
                    throw new StoreCorruptedException("store " + dir + " holds an unknown key '" + k + "'");
                }
            }
            checkIterator(it, dir);
        }
        for (Map.Entry<String, long[]> e : opStats.entrySet()) {
            if (!applied.containsKey(e.getKey())) {
                throw new StoreCorruptedException("store " + dir + " has operations of " + e.getKey()
                        + " but no " + META_APPLIED + e.getKey());
            }
        }
        for (Map.Entry<String, Long> e : compacted.entrySet()) {
            if (e.getValue() > applied.getOrDefault(e.getKey(), 0L)) {
                throw new StoreCorruptedException("store " + dir + " is inconsistent: compaction floor of "
                        + e.getKey() + " is " + e.getValue() + " but only " + applied.getOrDefault(e.getKey(), 0L)
                        + " operation(s) of it were applied");
            }
        }
        for (Map.Entry<String, Long> e : applied.entrySet()) {
            long floor = compacted.getOrDefault(e.getKey(), 0L);
            long expected = e.getValue() - floor;
            long[] stats = opStats.getOrDefault(e.getKey(), new long[] {0, Long.MAX_VALUE, 0});
            boolean ok = expected == 0 ? stats[0] == 0
                    : stats[0] == expected && stats[1] == floor + 1 && stats[2] == e.getValue();
            if (!ok) {
                throw new StoreCorruptedException("store " + dir + " is inconsistent: applied sequence of "
                        + e.getKey() + " is " + e.getValue() + " and compaction floor " + floor + ", but the op log holds "
                        + stats[0] + " operation(s) of it"
                        + (stats[0] == 0 ? "" : " from #" + stats[1] + " to #" + stats[2]));
            }
        }
        return new Scan(new StoredState(planets, applied, published, compacted), ops);
    }

    private static Planet parsePlanet(String k, byte[] v, Path dir) {
        Planet p;
        try {
            p = JSON.readValue(v, Planet.class);
        } catch (IOException | RuntimeException e) {
            throw new StoreCorruptedException("value of " + k + " in " + dir + " is not a planet: " + e.getMessage(), e);
        }
        if (p == null || !k.equals(PLANET + p.name())) {
            throw new StoreCorruptedException("value of " + k + " in " + dir + " is planet '"
                    + (p == null ? null : p.name()) + "'");
        }
        for (Map.Entry<String, City> c : p.cities().entrySet()) {
            if (c.getValue() == null || !c.getKey().equals(c.getValue().id())) {
                throw new StoreCorruptedException("planet " + p.name() + " in " + dir + " files city "
                        + (c.getValue() == null ? null : c.getValue().id()) + " under id " + c.getKey());
            }
        }
        return p;
    }

    private static Operation parseOperation(String k, byte[] v, Path dir) {
        Operation op;
        try {
            op = JSON.readValue(v, Operation.class);
        } catch (IOException | RuntimeException e) {
            throw new StoreCorruptedException("value of " + k + " in " + dir + " is not an operation: " + e.getMessage(), e);
        }
        if (op == null || !k.equals(opKey(op.origin(), op.originSeq()))) {
            throw new StoreCorruptedException("value of " + k + " in " + dir + " is operation "
                    + (op == null ? null : op.origin() + "#" + op.originSeq()));
        }
        return op;
    }

    private static long parseSeq(String k, byte[] v, Path dir) {
        try {
            long seq = Long.parseLong(text(v));
            if (seq < 0) {
                throw new NumberFormatException("negative");
            }
            return seq;
        } catch (NumberFormatException e) {
            throw new StoreCorruptedException("value of " + k + " in " + dir + " is not a sequence number: '"
                    + text(v) + "'", e);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    static String opKey(String origin, long seq) {
        return OP + origin + "/" + String.format("%020d", seq);
    }

    private byte[] get(String k) {
        ensureOpen();
        try {
            return db.get(key(k));
        } catch (RocksDBException e) {
            throw new StoreException("read of " + k + " from " + directory + " failed: " + e.getMessage(), e);
        }
    }

    private static byte[] getOrNull(RocksDB db, String k) {
        try {
            return db.get(key(k));
        } catch (RocksDBException e) {
            throw new StoreException("read of " + k + " failed: " + e.getMessage(), e);
        }
    }

    private static boolean hasAnyKey(RocksDB db) {
        try (RocksIterator it = db.newIterator()) {
            it.seekToFirst();
            return it.isValid();
        }
    }

    private static void checkIterator(RocksIterator it, Path dir) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store " + directory + " is closed");
        }
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static boolean startsWith(byte[] k, String prefix) {
        byte[] p = key(prefix);
        if (k.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (k[i] != p[i]) {
                return false;
            }
        }
        return true;
    }
}
