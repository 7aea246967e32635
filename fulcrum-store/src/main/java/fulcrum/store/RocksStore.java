package fulcrum.store;

import fulcrum.core.store.ReplicaStore;
import fulcrum.core.store.StateScan;
import fulcrum.core.store.StoreBatch;
import fulcrum.core.store.StoreMeta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A replica's store in one RocksDB database, format 3: one key per planet clock, city, name-index
 * entry, op-log entry, reply, command record and meta value (the layout is in the module's
 * README), so a write costs the same on a planet of ten cities and of a million.
 *
 * <p>{@link #open} reads and checks only the meta keys (O(number of origins)), never the data, and
 * migrates a format-1 store in place. Every value is checked when read: one that does not parse,
 * or does not belong under its key, throws {@link StoreCorruptedException} and is never served.
 * Every change is one {@link #commit}: one RocksDB write batch with {@code sync=true}.
 *
 * <p>Thread-safe: a loop thread may read while a commit thread commits; {@link #meta()} is the
 * meta of the last commit that returned.
 */
public final class RocksStore extends RocksBase implements ReplicaStore, StateScan {
    private final Object commitLock = new Object();
    private volatile StoreMeta meta;
    private final String migration;

    private RocksStore(Opening opening, StoreMeta meta, String migration) {
        super(opening.dir(), opening.tuning(), opening.db(), opening.read(), opening.guard());
        this.meta = meta;
        this.migration = migration;
    }

    /** What this open migrated, for the log ("format 2 to 3: 1,234 values rewritten in 0.4 s"), or null. */
    public String migration() {
        return migration;
    }

    /**
     * Opens the store of {@code replicaId} in {@code dir}, creating it when missing (format 3,
     * phase NEW), migrating it when it is in format 1 or 2.
     *
     * @throws StoreException          when RocksDB cannot open the directory (locked, unwritable...)
     * @throws StoreCorruptedException when the store is another replica's, of an unknown format,
     *                                 has data but no format, or its content cannot be trusted
     */
    public static RocksStore open(Path dir, String replicaId) {
        Objects.requireNonNull(dir, "dir");
        Keys.applied(Objects.requireNonNull(replicaId, "replicaId")); // a replica id must fit in a key
        return Opening.open(dir, false, opening -> {
            long started = System.nanoTime();
            String migration = null;
            switch (OpenChecks.format(opening.reads())) {
                case EMPTY -> initialise(opening, replicaId);
                case ONE -> {
                    Format1Migration.migrate(opening.db(), opening.tuning(), opening.reads(), replicaId);
                    migration = String.format(Locale.ROOT, "format 1 to 3 in %.1f s", (System.nanoTime() - started) / 1e9);
                }
                case TWO -> {
                    OpenChecks.ownerAndKeys(opening.reads(), replicaId); // before a value is rewritten
                    long values = Format2Migration.migrate(opening.db(), opening.tuning(), opening.reads());
                    migration = String.format(Locale.ROOT, "format 2 to 3: %,d values rewritten in %.1f s", values,
                            (System.nanoTime() - started) / 1e9);
                }
                case THREE -> {
                    // checked below, as every store is
                }
            }
            return new RocksStore(opening, OpenChecks.current(opening.reads(), replicaId), migration);
        });
    }

    /**
     * Opens a store for reading only, without its lock: works while its worker runs, and sees the
     * state as of this call (RocksDB replays the write-ahead log in memory). Never writes, so a
     * format-1 or format-2 store is refused (its worker migrates it at its next start).
     *
     * @throws StoreException          when the directory is missing or RocksDB cannot read it
     * @throws StoreCorruptedException as {@link #open}, and for a format-1, format-2 or empty store
     */
    public static ReadOnlyRocksStore openReadOnly(Path dir) {
        return ReadOnlyRocksStore.open(dir);
    }

    @Override
    public StoreMeta meta() {
        return meta;
    }

    /**
     * Writes the batch atomically and durably. Checks the batch against the meta first
     * ({@link StoreMeta#after}): a batch that would break an invariant is refused with
     * {@link IllegalArgumentException} and nothing is written.
     *
     * @throws StoreException when RocksDB fails: assume nothing of the batch is durable, and stop
     */
    @Override
    public void commit(StoreBatch batch) {
        Objects.requireNonNull(batch, "batch");
        guard.run(() -> {
            synchronized (commitLock) {
                StoreMeta next = meta.after(batch);
                if (batch.isEmpty()) {
                    return;
                }
                try (WriteBatch write = new WriteBatch()) {
                    BatchWriter.write(write, batch, next);
                    db().write(tuning().syncWrite(), write);
                } catch (RocksDBException e) {
                    throw new StoreException("synced write to " + directory() + " failed: " + e.getMessage(), e);
                }
                meta = next;
            }
        });
    }

    /**
     * One write batch per {@link StoreBatch}, in order, and one sync for the group: every batch but
     * the last non-empty one is written without sync, the last with it. The write-ahead log is
     * written in order, so its sync makes every earlier batch of the group durable too; each batch
     * stays atomic on its own (the caller answers for none of them before this returns). Every
     * batch is checked against the meta first, so a refused one leaves nothing written.
     *
     * @throws StoreException when RocksDB fails: assume nothing of the group is durable, and stop
     */
    @Override
    public void commitAll(List<StoreBatch> batches) {
        if (batches.size() == 1) {
            commit(batches.get(0));
            return;
        }
        guard.run(() -> {
            synchronized (commitLock) {
                List<StoreMeta> nexts = new ArrayList<>(batches.size());
                StoreMeta current = meta;
                int lastToWrite = -1;
                for (int i = 0; i < batches.size(); i++) {
                    current = current.after(Objects.requireNonNull(batches.get(i), "batch"));
                    nexts.add(current);
                    if (!batches.get(i).isEmpty()) {
                        lastToWrite = i;
                    }
                }
                for (int i = 0; i <= lastToWrite; i++) {
                    StoreBatch batch = batches.get(i);
                    if (batch.isEmpty()) {
                        continue;
                    }
                    try (WriteBatch write = new WriteBatch()) {
                        BatchWriter.write(write, batch, nexts.get(i));
                        db().write(i == lastToWrite ? tuning().syncWrite() : tuning().plainWrite(), write);
                    } catch (RocksDBException e) {
                        throw new StoreException("write to " + directory() + " failed: " + e.getMessage(), e);
                    }
                }
                if (!nexts.isEmpty()) {
                    meta = nexts.get(nexts.size() - 1);
                }
            }
        });
    }

    /** Closes the open snapshot views and the database, after the calls in flight; idempotent. */
    @Override
    public void close() {
        release();
    }

    private static void initialise(Opening opening, String replicaId) {
        try (WriteBatch init = new WriteBatch()) {
            init.put(Keys.FORMAT, Keys.utf8(OpenChecks.FORMAT_3));
            BatchWriter.writeIdentity(init, StoreMeta.fresh(replicaId));
            opening.db().write(opening.tuning().syncWrite(), init);
        } catch (RocksDBException e) {
            throw new StoreException("cannot initialise store " + opening.dir() + ": " + e.getMessage(), e);
        }
    }
}
