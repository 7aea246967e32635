package fulcrum.core.store;

import java.util.List;

/**
 * A replica's durable store: the reads the node makes, plus the commit its caller makes.
 * {@code fulcrum-store}'s RocksDB store is the production one, {@link MemoryStore} the fake that
 * simulations and unit tests use.
 */
public interface ReplicaStore extends StateReader, AutoCloseable {

    /**
     * Writes the whole batch atomically and durably, or throws. After a throw the caller must
     * assume nothing of the batch is durable, must not answer or acknowledge anything of it, and
     * must not go on with the node (its memory is ahead of the disk): it stops, and a restart reads
     * the store again.
     */
    void commit(StoreBatch batch);

    /**
     * Commits {@code batches} in their order, each atomically, all durable when this returns: a
     * group commit for a caller that has several batches waiting (one sync for all of them, where
     * the store can). A batch that breaks an invariant is refused before anything is written. On
     * a throw the caller assumes none of them is durable, as for {@link #commit}.
     */
    default void commitAll(List<StoreBatch> batches) {
        StoreMeta checked = meta();
        for (StoreBatch batch : batches) {
            checked = checked.after(batch); // every batch checked before the first is written
        }
        for (StoreBatch batch : batches) {
            commit(batch);
        }
    }

    @Override
    void close();
}
