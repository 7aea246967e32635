package fulcrum.worker.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
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
 * planet/&lt;planet name&gt;             Planet JSON         name, clock, cities by city id
 * op/&lt;origin&gt;/&lt;seq, 20 digits&gt;     Operation JSON      op log; zero padding makes key order = seq order
 * dedup/&lt;command id&gt;               Reply JSON          (ReplyCodec) the reply of every executed write,
 *                                                      accepted or rejected; queries have none
 * </pre>
 *
 * Invariants checked at open (violations refuse to start with {@link StoreCorruptedException}):
 * every value parses; a planet's key is its name and each city's key its id; an op's key matches its
 * origin and sequence number; for every origin the op log holds exactly the operations
 * 1..{@code meta/applied/<origin>}; no key outside these prefixes.
 *
 * <p>Every change goes through {@link #commit}: one {@link WriteBatch} written with
 * {@code sync=true}, so a batch is on disk, entirely, when commit returns, or not at all.
 */
public final class RocksReplicaStore implements ReplicaStore {
    public static final String FORMAT = "1";
    static final String META_FORMAT = "meta/format";
    static final String META_REPLICA = "meta/replica";
    static final String META_APPLIED = "meta/applied/";
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

        TreeMap<String, Planet> planets = new TreeMap<>();
        TreeMap<String, Long> applied = new TreeMap<>();
        TreeMap<String, long[]> opStats = new TreeMap<>(); // origin -> {count, max seq}
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                String k = text(it.key());
                byte[] v = it.value();
                if (k.startsWith(PLANET)) {
                    Planet p = parsePlanet(k, v, dir);
                    planets.put(p.name(), p);
                } else if (k.startsWith(OP)) {
                    Operation op = parseOperation(k, v, dir);
                    long[] stats = opStats.computeIfAbsent(op.origin(), o -> new long[2]);
                    stats[0]++;
                    stats[1] = Math.max(stats[1], op.originSeq());
                } else if (k.startsWith(META_APPLIED)) {
                    applied.put(k.substring(META_APPLIED.length()), parseSeq(k, v, dir));
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
        for (Map.Entry<String, Long> e : applied.entrySet()) {
            long[] stats = opStats.getOrDefault(e.getKey(), new long[2]);
            if (stats[0] != e.getValue() || stats[1] != e.getValue()) {
                throw new StoreCorruptedException("store " + dir + " is inconsistent: applied sequence of "
                        + e.getKey() + " is " + e.getValue() + " but the op log holds " + stats[0]
                        + " operation(s) of it up to #" + stats[1]);
            }
        }
        return new StoredState(planets, applied);
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
