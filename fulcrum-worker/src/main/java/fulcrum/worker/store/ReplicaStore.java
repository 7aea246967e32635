package fulcrum.worker.store;

import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import java.util.List;
import java.util.Optional;

/**
 * The durable state of one replica: planets, op log, dedup replies and applied sequence numbers.
 * The worker talks to this interface only; {@link RocksReplicaStore} is the RocksDB edge.
 *
 * <p>Implementations validate what they read: a value that does not parse, or a store whose parts
 * disagree, raises {@link StoreCorruptedException} rather than being served.
 */
public interface ReplicaStore extends AutoCloseable {

    /** Everything needed to rebuild the in-memory {@code Replica}, read and checked at open. */
    StoredState loadState();

    /** The reply stored for a command that was already executed (write commands only). */
    Optional<Reply> findReply(String commandId);

    /**
     * Writes the whole batch atomically and durably (one batch, fsync'd) or throws. After a throw
     * the caller must assume nothing of the batch is durable and must not acknowledge anything.
     */
    void commit(CommitBatch batch);

    long countOperations();

    /** All operations, ordered by origin then sequence number. Meant for tests and dumps. */
    List<Operation> listOperations();

    /** Operations of {@code origin} with sequence number greater than {@code afterSeq}, at most {@code limit}. */
    List<Operation> operationsAfter(String origin, long afterSeq, int limit);

    @Override
    void close();
}
