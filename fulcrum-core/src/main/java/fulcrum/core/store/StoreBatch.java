package fulcrum.core.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything one synced write carries. The replica node builds it; the caller commits it, whole or
 * not at all, with {@code sync=true}, before anything of the batch is answered or acknowledged.
 *
 * <p>A store applies a batch in this order: {@link #clearData()} first (when set), then every put
 * and delete (op-log drops after op-log puts); a later put of the same key in one batch replaces an earlier one, so a batch of many
 * commands writes each key once. Keys, one per item (the layout is the store's):
 * planet clock per planet, city per (planet, city id), name-index entry per (planet, name) holding
 * the ids of the live cities filed there, op-log entry per (origin, seq), reply per command id, the
 * command records of a command id, and the meta values. Name-index entries and command records are
 * written whole: the node knows their values (it read them to decide), so a commit never reads the
 * store.
 */
public final class StoreBatch {
    /** Name-index entry: the live cities of a planet filed under one name. */
    public record NameKey(String planet, String name) {
        public NameKey {
            Objects.requireNonNull(planet, "planet");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NameKey k && name.equals(k.name) && planet.equals(k.planet);
        }

        @Override
        public int hashCode() {
            return KeyHash.of(planet, name);
        }
    }

    /** A city's key. */
    public record CityKey(String planet, String cityId) {
        public CityKey {
            Objects.requireNonNull(planet, "planet");
            Objects.requireNonNull(cityId, "cityId");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CityKey k && cityId.equals(k.cityId) && planet.equals(k.planet);
        }

        @Override
        public int hashCode() {
            return KeyHash.of(planet, cityId);
        }
    }

    /** An op-log entry's key. */
    public record EntryKey(String origin, long seq) {
        public EntryKey {
            Objects.requireNonNull(origin, "origin");
        }
    }

    /** The order of a command id's records: by origin, then sequence number. */
    public static final Comparator<CommandRecord> RECORD_ORDER =
            Comparator.comparing(CommandRecord::origin).thenComparingLong(CommandRecord::originSeq);

    private boolean clearData;
    private final Map<String, VectorClock> clocks = new TreeMap<>();
    private final Map<CityKey, City> cities = new LinkedHashMap<>();
    private final Map<NameKey, List<String>> names = new LinkedHashMap<>();
    private final List<Operation> operations = new ArrayList<>();
    private final java.util.LinkedHashSet<EntryKey> droppedOperations = new java.util.LinkedHashSet<>();
    private final Map<String, Reply> replies = new LinkedHashMap<>();
    /** Bytes a shell encoded for a reply of {@link #replies} (by identity), for the store to write as they are. */
    private final Map<Reply, byte[]> encodedReplies = new java.util.IdentityHashMap<>();
    private final Map<String, List<CommandRecord>> commandRecords = new LinkedHashMap<>();
    private final Map<String, Long> appliedSeq = new TreeMap<>();
    private final Map<String, Long> compactUpTo = new TreeMap<>();
    private final Map<String, Long> floors = new TreeMap<>();
    private final Map<String, IncarnationStart> incarnationStarts = new TreeMap<>();
    private Long publishedUpTo;
    private Phase phase;
    private Long incarnation;

    /**
     * Deletes the replicated state and its meta (clocks, cities, names, replies, command records,
     * applied vector, published mark) before the rest of the batch: a join that restarts begins from
     * nothing. Keeps the replica id, the phase, the incarnation, the incarnation starts, the op log and
     * its compaction floors: entries a replica took from its merge queue (and acknowledged) stay
     * held, whatever becomes of its state, so that an acknowledged entry is never dropped; and the
     * floors say whether that op log alone could rebuild the state.
     */
    public StoreBatch clearData() {
        clearData = true;
        return this;
    }

    public StoreBatch putClock(String planet, VectorClock clock) {
        clocks.put(Objects.requireNonNull(planet, "planet"), Objects.requireNonNull(clock, "clock"));
        return this;
    }

    public StoreBatch putCity(String planet, City city) {
        cities.put(new CityKey(planet, city.id()), city);
        return this;
    }

    /**
     * The ids of every live city filed under {@code name} after this batch, sorted and distinct
     * (empty: the name files none and its entry goes). Whole, not a change: the node read the entry
     * to decide the write, so the store writes it without reading it again.
     */
    public StoreBatch putNamedIds(String planet, String name, java.util.Collection<String> ids) {
        List<String> sorted = List.copyOf(new java.util.TreeSet<>(ids));
        names.put(new NameKey(planet, name), sorted);
        return this;
    }

    /**
     * Adds an op-log entry. Does not move the applied sequence ({@link #putAppliedSeq} does): the op
     * log also holds peers' entries taken but not yet applied (waiting for a predecessor).
     */
    public StoreBatch putOperation(Operation op) {
        operations.add(Objects.requireNonNull(op, "operation"));
        droppedOperations.remove(new EntryKey(op.origin(), op.originSeq())); // a later put wins
        return this;
    }

    /**
     * Deletes one op-log entry that was held but turned out not to fit (its own clock contradicts its
     * predecessors'): the right one can then be fetched again.
     */
    public StoreBatch dropOperation(String origin, long seq) {
        droppedOperations.add(new EntryKey(origin, seq));
        return this;
    }

    public StoreBatch putReply(String commandId, Reply reply) {
        replies.put(Objects.requireNonNull(commandId, "commandId"), Objects.requireNonNull(reply, "reply"));
        return this;
    }

    /**
     * The bytes the shell encoded {@code reply} into to send it: if that very reply object is one
     * this batch stores, the store writes those bytes and the reply is encoded once (the node
     * puts one Reply object both in the batch and in the Ready's answers). Opaque to the core.
     */
    public void useEncodedReply(Reply reply, byte[] encoded) {
        // bytes of a reply the batch does not store are never looked up
        encodedReplies.put(Objects.requireNonNull(reply, "reply"), Objects.requireNonNull(encoded, "encoded"));
    }

    /** The bytes {@link #useEncodedReply} gave for this reply object, or null: the store encodes it. */
    public byte[] encodedReply(Reply reply) {
        return encodedReplies.get(reply);
    }

    /**
     * Every record of {@code commandId} after this batch, those already stored included: the store
     * writes the list as it is, in {@link #RECORD_ORDER}, reading nothing (the node had the stored
     * ones in hand when it decided).
     *
     * @throws IllegalArgumentException when the list is empty, holds another command id's record, or
     *                                  one (origin, sequence number) twice
     */
    public StoreBatch putCommandRecords(String commandId, List<CommandRecord> records) {
        Objects.requireNonNull(commandId, "commandId");
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a command id's records are never written empty: " + commandId);
        }
        List<CommandRecord> sorted = new ArrayList<>(records);
        sorted.sort(RECORD_ORDER);
        for (int i = 0; i < sorted.size(); i++) {
            CommandRecord r = sorted.get(i);
            if (!r.commandId().equals(commandId)) {
                throw new IllegalArgumentException("a record of command " + r.commandId() + " among those of " + commandId);
            }
            if (i > 0 && RECORD_ORDER.compare(sorted.get(i - 1), r) == 0) {
                throw new IllegalArgumentException("two records of command " + commandId + " at " + r.origin() + " #" + r.originSeq());
            }
        }
        commandRecords.put(commandId, List.copyOf(sorted));
        return this;
    }

    public StoreBatch putAppliedSeq(String origin, long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("applied sequence must not be negative, got " + seq);
        }
        appliedSeq.put(Objects.requireNonNull(origin, "origin"), seq);
        return this;
    }

    /**
     * Deletes the op-log entries of {@code origin} up to {@code upTo} and raises its compaction
     * floor to {@code upTo}.
     */
    public StoreBatch compact(String origin, long upTo) {
        if (upTo < 1) {
            throw new IllegalArgumentException("compaction floor must be positive, got " + upTo);
        }
        compactUpTo.merge(Objects.requireNonNull(origin, "origin"), upTo, Math::max);
        return this;
    }

    /**
     * Raises the compaction floor of {@code origin} without deleting entries: a replica that installed
     * a snapshot up to here cannot answer for earlier entries, but keeps the ones it holds.
     */
    public StoreBatch raiseFloor(String origin, long upTo) {
        if (upTo < 1) {
            throw new IllegalArgumentException("compaction floor must be positive, got " + upTo);
        }
        floors.merge(Objects.requireNonNull(origin, "origin"), upTo, Math::max);
        return this;
    }

    public StoreBatch putIncarnationStart(String origin, IncarnationStart start) {
        incarnationStarts.put(Objects.requireNonNull(origin, "origin"), Objects.requireNonNull(start, "start"));
        return this;
    }

    public StoreBatch putPublishedUpTo(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("published mark must not be negative, got " + seq);
        }
        publishedUpTo = seq;
        return this;
    }

    public StoreBatch putPhase(Phase phase) {
        this.phase = Objects.requireNonNull(phase, "phase");
        return this;
    }

    public StoreBatch putIncarnation(long incarnation) {
        if (incarnation < 1) {
            throw new IllegalArgumentException("incarnation is positive, got " + incarnation);
        }
        this.incarnation = incarnation;
        return this;
    }

    public boolean isEmpty() {
        return !clearData && clocks.isEmpty() && cities.isEmpty() && names.isEmpty() && operations.isEmpty()
                && droppedOperations.isEmpty()
                && replies.isEmpty() && commandRecords.isEmpty() && appliedSeq.isEmpty() && compactUpTo.isEmpty() && floors.isEmpty()
                && incarnationStarts.isEmpty() && publishedUpTo == null && phase == null && incarnation == null;
    }

    /** How many keys the batch writes or deletes (a size for logs and metrics). */
    public int size() {
        return clocks.size() + cities.size() + names.size() + operations.size() + droppedOperations.size() + replies.size()
                + commandRecords.size() + appliedSeq.size() + compactUpTo.size() + floors.size() + incarnationStarts.size()
                + (publishedUpTo == null ? 0 : 1) + (phase == null ? 0 : 1) + (incarnation == null ? 0 : 1);
    }

    public boolean clearsData() {
        return clearData;
    }

    public Map<String, VectorClock> clocks() {
        return Collections.unmodifiableMap(clocks);
    }

    public Map<CityKey, City> cities() {
        return Collections.unmodifiableMap(cities);
    }

    /** Name-index entries, whole (an empty list deletes the entry). */
    public Map<NameKey, List<String>> names() {
        return Collections.unmodifiableMap(names);
    }

    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }

    /** Entries to delete, applied after the puts of {@link #operations()}. */
    public List<EntryKey> droppedOperations() {
        return List.copyOf(droppedOperations);
    }

    public Map<String, Reply> replies() {
        return Collections.unmodifiableMap(replies);
    }

    /** Each touched command id's records, whole, in {@link #RECORD_ORDER}. */
    public Map<String, List<CommandRecord>> commandRecords() {
        return Collections.unmodifiableMap(commandRecords);
    }

    public Map<String, Long> appliedSeq() {
        return Collections.unmodifiableMap(appliedSeq);
    }

    public Map<String, Long> compactUpTo() {
        return Collections.unmodifiableMap(compactUpTo);
    }

    /** Floors raised without deleting entries ({@link #raiseFloor}). */
    public Map<String, Long> floors() {
        return Collections.unmodifiableMap(floors);
    }

    public Map<String, IncarnationStart> incarnationStarts() {
        return Collections.unmodifiableMap(incarnationStarts);
    }

    /** The new published mark, or null when unchanged. */
    public Long publishedUpTo() {
        return publishedUpTo;
    }

    /** The new phase, or null when unchanged. */
    public Phase phase() {
        return phase;
    }

    /** The new incarnation, or null when unchanged. */
    public Long incarnation() {
        return incarnation;
    }
}
