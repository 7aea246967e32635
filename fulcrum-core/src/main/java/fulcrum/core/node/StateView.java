package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.StateReader;
import fulcrum.core.store.StoreBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The node's view of its state: the store as of its last commit, under the batches the node has
 * produced but the caller has not yet committed (oldest first), under the batch being built. Like
 * etcd raft's unstable log over its {@code Storage}: reads see every write the node has decided,
 * writes go into the batch being built.
 */
final class StateView {
    /** One batch and the indexes needed to read it back by key. */
    private static final class Layer {
        final StoreBatch batch = new StoreBatch();
        final Map<String, TreeMap<Long, Operation>> ops = new HashMap<>();
        final Map<String, TreeSet<Long>> dropped = new HashMap<>();
    }

    private final StateReader store;
    private final Deque<Layer> uncommitted = new ArrayDeque<>(); // oldest first
    private Layer building = new Layer();
    /**
     * Each origin's highest op-log entry, once looked up: a merge asks it for every entry it takes
     * (nothing above it can be held, so no store read is needed), and a store seek each time was the
     * merge intake's largest cost. Kept by every write of the op log, which goes through here. A
     * compaction may delete the entry it names: that is harmless, as compaction never passes the
     * applied mark and every reader compares this number with that mark (or the compaction floor).
     * The mark goes back only with {@link #clearData()}, which forgets these numbers.
     */
    private final Map<String, Long> lastOperation = new HashMap<>();
    /** The store's answers for cities and name entries, kept across commits. */
    private final StoreReads storeReads;
    /**
     * The store's command records of one command id, as last read: a client's write reads them to see
     * whether it was applied before, and recording it reads them again to write the whole list. Valid
     * until the next commit: until then, a batch the store may already hold is still a layer, read first.
     */
    private String storedRecordsId;
    private List<CommandRecord> storedRecords;

    StateView(StateReader store) {
        this(store, NodeConfig.MAX_KEPT_ANSWERS);
    }

    /** With at most {@code maxKeptAnswers} of the store's answers kept (tests make it small, to see them go). */
    StateView(StateReader store, int maxKeptAnswers) {
        this.store = store;
        this.storeReads = new StoreReads(store, maxKeptAnswers);
    }

    StateReader store() {
        return store;
    }

    /** The batch being built (for meta changes that need no read-back). */
    StoreBatch batch() {
        return building.batch;
    }

    /** Hands the batch being built over to the caller; it stays readable until {@link #committed}. */
    StoreBatch take() {
        Layer done = building;
        uncommitted.addLast(done);
        building = new Layer();
        return done.batch;
    }

    /** The caller committed {@code batch}, the oldest one it was handed: the store now answers for it. */
    void committed(StoreBatch batch) {
        Layer oldest = uncommitted.peekFirst();
        if (oldest == null || oldest.batch != batch) {
            throw new IllegalStateException("batches must be committed in the order they were taken");
        }
        uncommitted.removeFirst();
        storeReads.committed(batch);
        storedRecordsId = null;
    }

    int uncommittedBatches() {
        return uncommitted.size();
    }

    // ---- reads ---------------------------------------------------------------------------------

    VectorClock clock(String planet) {
        for (Iterator<Layer> it = newestFirst(); it.hasNext(); ) {
            Layer l = it.next();
            VectorClock c = l.batch.clocks().get(planet);
            if (c != null) {
                return c;
            }
            if (l.batch.clearsData()) {
                return null;
            }
        }
        return store.planetClock(planet);
    }

    City city(String planet, String cityId) {
        StoreBatch.CityKey key = new StoreBatch.CityKey(planet, cityId);
        for (Iterator<Layer> it = newestFirst(); it.hasNext(); ) {
            Layer l = it.next();
            City c = l.batch.cities().get(key);
            if (c != null) {
                return c;
            }
            if (l.batch.clearsData()) {
                return null;
            }
        }
        return storeReads.city(key);
    }

    /** The ids filed under {@code name}, sorted: the newest layer that wrote the entry holds it whole. */
    List<String> cityIdsNamed(String planet, String name) {
        StoreBatch.NameKey key = new StoreBatch.NameKey(planet, name);
        for (Iterator<Layer> it = newestFirst(); it.hasNext(); ) {
            Layer l = it.next();
            List<String> ids = l.batch.names().get(key); // every id filed there after this batch
            if (ids != null) {
                return ids;
            }
            if (l.batch.clearsData()) {
                return List.of();
            }
        }
        return storeReads.cityIdsNamed(key);
    }

    Reply reply(String commandId) {
        for (Iterator<Layer> it = newestFirst(); it.hasNext(); ) {
            Layer l = it.next();
            Reply r = l.batch.replies().get(commandId);
            if (r != null) {
                return r;
            }
            if (l.batch.clearsData()) {
                return null;
            }
        }
        return store.reply(commandId);
    }

    /** The records of {@code commandId}, in {@link StoreBatch#RECORD_ORDER}: the newest layer that wrote them holds them whole. */
    List<CommandRecord> commandRecords(String commandId) {
        for (Iterator<Layer> it = newestFirst(); it.hasNext(); ) {
            Layer l = it.next();
            List<CommandRecord> records = l.batch.commandRecords().get(commandId);
            if (records != null) {
                return records;
            }
            if (l.batch.clearsData()) {
                return List.of();
            }
        }
        if (!commandId.equals(storedRecordsId)) {
            storedRecords = store.commandRecords(commandId);
            storedRecordsId = commandId;
        }
        return storedRecords;
    }

    /**
     * Op-log entries of {@code origin} from {@code fromSeq}, the uncommitted ones included, at most
     * {@code limit}. (A clear keeps the op log, so every layer counts.)
     */
    List<Operation> operations(String origin, long fromSeq, int limit) {
        List<Layer> layers = new ArrayList<>(uncommitted);
        layers.add(building);
        // Drops in the layers may remove what a source returns: each source is read that much further,
        // and no further (a layer's whole tail copied for every read made a backlog's intake quadratic).
        long drops = 0;
        for (Layer l : layers) {
            TreeSet<Long> gone = l.dropped.get(origin);
            drops += gone == null ? 0 : gone.size();
        }
        int reach = (int) Math.min(Integer.MAX_VALUE, limit + drops);
        TreeMap<Long, Operation> merged = new TreeMap<>();
        store.operations(origin, fromSeq, reach).forEach(op -> merged.put(op.originSeq(), op));
        for (Layer l : layers) {
            TreeSet<Long> gone = l.dropped.get(origin);
            if (gone != null) {
                gone.forEach(merged::remove);
            }
            TreeMap<Long, Operation> ops = l.ops.get(origin);
            if (ops != null) {
                int taken = 0;
                for (Operation op : ops.tailMap(fromSeq, true).values()) {
                    if (taken++ >= reach) {
                        break;
                    }
                    merged.put(op.originSeq(), op);
                }
            }
        }
        List<Operation> out = new ArrayList<>(Math.min(limit, merged.size()));
        for (Operation op : merged.values()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(op);
        }
        return out;
    }

    // ---- writes (into the batch being built) --------------------------------------------------

    void putClock(String planet, VectorClock clock) {
        building.batch.putClock(planet, clock);
    }

    /** Stores {@code after} and keeps the name index in step with the change from {@code before}. */
    void putCity(String planet, City before, City after) {
        building.batch.putCity(planet, after);
        boolean wasFiled = before != null && before.isLive();
        boolean isFiled = after.isLive();
        if (wasFiled && (!isFiled || !before.name().value().equals(after.name().value()))) {
            index(planet, before.name().value(), after.id(), false);
        }
        if (isFiled && (!wasFiled || !before.name().value().equals(after.name().value()))) {
            index(planet, after.name().value(), after.id(), true);
        }
    }

    private void index(String planet, String name, String cityId, boolean present) {
        List<String> ids = new ArrayList<>(cityIdsNamed(planet, name));
        ids.remove(cityId);
        if (present) {
            ids.add(cityId);
        }
        building.batch.putNamedIds(planet, name, ids); // sorted there, once
    }

    void putOperation(Operation op) {
        TreeSet<Long> gone = building.dropped.get(op.origin());
        if (gone != null) {
            gone.remove(op.originSeq());
        }
        building.batch.putOperation(op);
        building.ops.computeIfAbsent(op.origin(), o -> new TreeMap<>()).put(op.originSeq(), op);
        lastOperation.computeIfPresent(op.origin(), (o, last) -> Math.max(last, op.originSeq()));
    }

    void dropOperation(String origin, long seq) {
        building.batch.dropOperation(origin, seq);
        TreeMap<Long, Operation> ops = building.ops.get(origin);
        if (ops != null) {
            ops.remove(seq);
        }
        building.dropped.computeIfAbsent(origin, o -> new TreeSet<>()).add(seq);
        lastOperation.remove(origin); // looked up again when next asked (drops are rare)
    }

    /** Deletes the op-log entries of {@code origin} up to {@code upTo} (compaction, never above what is applied). */
    void compactOperations(String origin, long upTo) {
        building.batch.compact(origin, upTo); // the last entry's number stays known: see lastOperation
    }

    void putReply(String commandId, Reply reply) {
        building.batch.putReply(commandId, reply);
    }

    /** Adds {@code record} to its command id's records; the batch carries them all, so the commit reads none. */
    void putCommandRecord(CommandRecord record) {
        List<CommandRecord> before = commandRecords(record.commandId());
        List<CommandRecord> after = new ArrayList<>(before.size() + 1);
        for (CommandRecord r : before) {
            if (!r.origin().equals(record.origin()) || r.originSeq() != record.originSeq()) {
                after.add(r); // the same entry recorded again replaces its record
            }
        }
        after.add(record);
        building.batch.putCommandRecords(record.commandId(), after);
    }

    /**
     * Empties the view of replicated state, as a {@link StoreBatch#clearData()} commit will; what the
     * batch being built held is dropped too (a batch applies its clear before its puts), but its
     * op-log entries, which a clear keeps, are carried over.
     */
    void clearData() {
        storedRecordsId = null; // not needed for correctness (a clearing layer stops reads above the store), but nothing read before a clear is kept
        lastOperation.clear(); // the applied mark starts again from nothing (see lastOperation)
        Layer old = building;
        building = new Layer();
        building.batch.clearData();
        old.batch.operations().forEach(this::putOperation);
    }

    /** The highest op-log sequence number of {@code origin}, uncommitted entries included. */
    long lastOperationSeq(String origin) {
        Long known = lastOperation.get(origin);
        if (known != null) {
            return known;
        }
        long last = store.lastOperationSeq(origin);
        for (Layer l : uncommitted) {
            TreeMap<Long, Operation> ops = l.ops.get(origin);
            if (ops != null && !ops.isEmpty()) {
                last = Math.max(last, ops.lastKey());
            }
        }
        TreeMap<Long, Operation> ops = building.ops.get(origin);
        last = ops == null || ops.isEmpty() ? last : Math.max(last, ops.lastKey());
        if (!deletePending(origin)) {
            lastOperation.put(origin, last); // with a drop or compaction pending, the store's answer will change
        }
        return last;
    }

    private boolean deletePending(String origin) {
        if (building.dropped.containsKey(origin) || building.batch.compactUpTo().containsKey(origin)) {
            return true;
        }
        for (Layer l : uncommitted) {
            if (l.dropped.containsKey(origin) || l.batch.compactUpTo().containsKey(origin)) {
                return true;
            }
        }
        return false;
    }

    private Iterator<Layer> newestFirst() {
        // no copy: this runs on every read of the write path
        Iterator<Layer> older = uncommitted.descendingIterator();
        return new Iterator<>() {
            private boolean first = true;

            @Override
            public boolean hasNext() {
                return first || older.hasNext();
            }

            @Override
            public Layer next() {
                if (first) {
                    first = false;
                    return building;
                }
                return older.next();
            }
        };
    }
}
