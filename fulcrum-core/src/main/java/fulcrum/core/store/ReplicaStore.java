package fulcrum.core.store;

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

    @Override
    void close();
}
