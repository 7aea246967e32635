package fulcrum.core.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import java.util.List;

/**
 * What the replica node reads from its store, as of the last commit: the node's only view of
 * durable state besides {@link StoreMeta}. Like etcd raft's {@code Storage}: reads only; the node
 * returns {@link StoreBatch}es that its caller commits. Every read is by key or by a bounded range,
 * so a read costs the same on a planet of ten cities and of a million.
 *
 * <p>Implementations check what they read (a value that does not parse, or whose content does not
 * match its key, is an error, never served).
 */
public interface StateReader {

    /** Meta as of the last commit. */
    StoreMeta meta();

    /** The planet's clock, or null when the store has nothing of the planet. */
    VectorClock planetClock(String planet);

    /** The city, or null. */
    City city(String planet, String cityId);

    /** Ids of the live cities filed under {@code name} (normally one; several after a collision), sorted. */
    List<String> cityIdsNamed(String planet, String name);

    /** The reply recorded for a write executed (or refused) here, or null. */
    Reply reply(String commandId);

    /** Every record of {@code commandId}, one per origin that applied or refused it, sorted by origin. */
    List<CommandRecord> commandRecords(String commandId);

    /** Op-log entries of {@code origin} from {@code fromSeq} on, in order, at most {@code limit}. */
    List<Operation> operations(String origin, long fromSeq, int limit);

    /**
     * The highest sequence number of {@code origin} in the op log, or 0. The op log may hold entries
     * beyond what was applied (taken, waiting for a predecessor), so this can exceed the applied mark.
     */
    long lastOperationSeq(String origin);

    /**
     * A point-in-time view of the whole replicated state, for a joining peer. It stays the same
     * while the store goes on changing, until closed.
     */
    SnapshotView openSnapshot();
}
