package fulcrum.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.SnapshotView;
import fulcrum.core.store.StateReader;
import fulcrum.core.store.StateScan;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;

/**
 * The reads that the read-write and the read-only store share, and the native objects behind
 * them, released together by {@link #release()} once no call is in flight.
 */
abstract class RocksBase implements StateReader, StateScan {
    private final Path directory;
    private final Tuning tuning;
    private final RocksDB db;
    private final ReadOptions read;
    private final Set<SnapshotPaging> views = ConcurrentHashMap.newKeySet();
    final Guard guard;
    final Reads reads;

    RocksBase(Path directory, Tuning tuning, RocksDB db, ReadOptions read, Guard guard) {
        this.directory = directory;
        this.tuning = tuning;
        this.db = db;
        this.read = read;
        this.guard = guard;
        this.reads = new Reads(db, read, guard, directory);
    }

    /** The store's directory. */
    public Path directory() {
        return directory;
    }

    @Override
    public VectorClock planetClock(String planet) {
        return reads.planetClock(planet);
    }

    @Override
    public City city(String planet, String cityId) {
        return reads.city(planet, cityId);
    }

    @Override
    public List<String> cityIdsNamed(String planet, String name) {
        return reads.cityIdsNamed(planet, name);
    }

    @Override
    public Reply reply(String commandId) {
        return reads.reply(commandId);
    }

    @Override
    public List<CommandRecord> commandRecords(String commandId) {
        return reads.commandRecords(commandId);
    }

    @Override
    public List<Operation> operations(String origin, long fromSeq, int limit) {
        return reads.operations(origin, fromSeq, limit);
    }

    @Override
    public long lastOperationSeq(String origin) {
        return reads.lastOperationSeq(origin);
    }

    /** A RocksDB snapshot read page by page; closing the store closes it too. */
    @Override
    public SnapshotView openSnapshot() {
        return guard.call(() -> {
            SnapshotPaging view = new SnapshotPaging(db, guard, directory, views::remove);
            views.add(view);
            return view;
        });
    }

    /**
     * Every planet that has a clock, in key order (UTF-8 byte order of the names, which is
     * {@link String#compareTo} order but for names with characters beyond U+FFFF), streamed: one
     * planet in memory at a time, each read at one point in time.
     */
    @Override
    public Iterable<Planet> planets() {
        return reads.planets();
    }

    /** Every op-log entry held, by origin then sequence number, streamed. */
    public Iterable<Operation> allOperations() {
        return reads.allOperations();
    }

    /** Every command record, by command id then origin, streamed. */
    public Iterable<CommandRecord> allCommandRecords() {
        return reads.allCommandRecords();
    }

    RocksDB db() {
        return db;
    }

    Tuning tuning() {
        return tuning;
    }

    /** Waits for the calls in flight, then closes the snapshots and every native object; once. */
    void release() {
        guard.close(() -> {
            views.forEach(SnapshotPaging::closeWithStore);
            views.clear();
            db.close();
            read.close();
            tuning.close();
        });
    }
}
