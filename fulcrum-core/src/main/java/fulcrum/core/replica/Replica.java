package fulcrum.core.replica;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The state machine of one replica, with no I/O: it takes commands and operations and returns what
 * to persist and what to answer. The caller (the worker, or a simulation) owns durability.
 *
 * <p>Shaped like etcd's raft: inputs in ({@link #execute} for clients, {@link #applyRemote} for
 * peers' operations, {@link #resendRequestsFor} for peers' announcements), outputs to persist
 * ({@link Step}, {@link MergeStep}) and to send ({@link ResendRequest}, the {@link #appliedSeq()}
 * vector to announce). The durable state is exactly: the planets, the applied-sequence vector, and
 * (kept by the caller) the replica's own op log; {@link #Replica(String, List, Map, Map)} restarts
 * from it. The reorder buffer and the conflict counters are in memory only.
 *
 * <p>See {@link #applyRemote(Collection)} for the merge rules and the table of conflict outcomes.
 */
public final class Replica {
    /** Default bound of the reorder buffer (operations waiting for a predecessor). */
    public static final int DEFAULT_PENDING_CAPACITY = 4096;

    private final String self;
    private final List<String> replicaIds;
    private final TreeMap<String, Planet> planets;
    /** Highest origin sequence number applied, per origin (own writes included). */
    private final TreeMap<String, Long> appliedSeq;
    /** Peers' operations received ahead of a predecessor, per origin, by originSeq. Not durable. */
    private final TreeMap<String, TreeMap<Long, Operation>> pending = new TreeMap<>();
    private final int pendingCapacity;
    private int pendingCount;
    private final EnumMap<ConflictKind, Long> conflicts = new EnumMap<>(ConflictKind.class);

    public Replica(String self, List<String> replicaIds, Map<String, Planet> planets, Map<String, Long> appliedSeq) {
        this(self, replicaIds, planets, appliedSeq, DEFAULT_PENDING_CAPACITY);
    }

    public Replica(String self, List<String> replicaIds, Map<String, Planet> planets, Map<String, Long> appliedSeq,
                   int pendingCapacity) {
        if (pendingCapacity < 1) {
            throw new IllegalArgumentException("pendingCapacity must be positive, got " + pendingCapacity);
        }
        this.pendingCapacity = pendingCapacity;
        this.self = Objects.requireNonNull(self, "self");
        this.replicaIds = List.copyOf(replicaIds);
        if (!this.replicaIds.contains(self)) {
            throw new IllegalArgumentException(self + " is not one of the replicas " + replicaIds);
        }
        this.planets = new TreeMap<>(planets);
        this.appliedSeq = new TreeMap<>(appliedSeq);
    }

    public static Replica fresh(String self, List<String> replicaIds) {
        return new Replica(self, replicaIds, Map.of(), Map.of());
    }

    public String id() {
        return self;
    }

    public List<String> replicaIds() {
        return replicaIds;
    }

    public SortedMap<String, Planet> planets() {
        return Collections.unmodifiableSortedMap(planets);
    }

    public SortedMap<String, Long> appliedSeq() {
        return Collections.unmodifiableSortedMap(appliedSeq);
    }

    public long appliedSeq(String origin) {
        return appliedSeq.getOrDefault(origin, 0L);
    }

    public VectorClock clockOf(String planet) {
        Planet p = planets.get(planet);
        return p == null ? VectorClock.zero(replicaIds) : p.clock();
    }

    /** Executes a client command. Writes that pass the checks become operations; queries change nothing. */
    public Step execute(String commandId, Command command) {
        Objects.requireNonNull(commandId, "commandId");
        Planet planet = planets.getOrDefault(command.planet(), Planet.empty(command.planet(), VectorClock.zero(replicaIds)));
        Optional<City> city = planet.findByName(command.city());
        CommandKind kind = command.kind();
        if (kind == CommandKind.AddCity) {
            if (city.isPresent()) {
                return rejected(command, planet, ErrorCode.CITY_ALREADY_EXISTS,
                        "city " + command.city() + " already exists on " + command.planet());
            }
        } else if (city.isEmpty()) {
            return rejected(command, planet, ErrorCode.CITY_NOT_FOUND,
                    "no city " + command.city() + " on " + command.planet());
        }
        if (kind == CommandKind.GetNumberRebelds) {
            return new Step(Reply.success(kind, command.planet(), command.city(), self, planet.clock(),
                    city.get().rebels().value()), null, null);
        }
        if (kind == CommandKind.UpdateName && planet.findByName(command.newName()).isPresent()) {
            return rejected(command, planet, ErrorCode.CITY_ALREADY_EXISTS,
                    "city " + command.newName() + " already exists on " + command.planet());
        }
        long seq = appliedSeq(self) + 1;
        String cityId = city.map(City::id).orElseGet(() -> Operation.cityIdOf(self, seq));
        String name = switch (kind) {
            case AddCity -> command.city();
            case UpdateName -> command.newName();
            default -> null;
        };
        Operation op = new Operation(self, seq, command.planet(), kind, cityId, name, command.rebels(),
                planet.clock().increment(self), commandId);
        Planet after = commit(op);
        return new Step(Reply.success(kind, command.planet(), command.city(), self, after.clock(), null), op, after);
    }

    // ------------------------------------------------------------------ replication (merge) ----

    /** {@link #applyRemote(Collection)} for a single operation. */
    public MergeStep applyRemote(Operation op) {
        return applyRemote(List.of(op));
    }

    /**
     * Merges peers' operations (a batch, e.g. the deliveries of one RabbitMQ prefetch window), and
     * returns what to persist, in one synced write, before acknowledging them.
     *
     * <h2>Delivery rules</h2>
     * <ul>
     *   <li>An operation is applied iff it is the next of its origin ({@code originSeq ==
     *       appliedSeq(origin) + 1}) <em>and</em> causally ready: this replica has applied every
     *       operation on that planet that the operation's clock says its origin had seen (for every
     *       other replica j, {@code clockOf(planet)[j] >= op.clock[j]}). Causal readiness keeps the
     *       invariant that a planet's clock counts exactly the operations applied to it, so a clock
     *       handed to a client (read-your-writes, monotonic reads) never promises a write that is
     *       not there yet, and an AddCity is never overtaken by the updates of that city.</li>
     *   <li>A duplicate ({@code originSeq <= appliedSeq(origin)}, or already buffered) is a no-op.</li>
     *   <li>Anything else waits in a bounded in-memory buffer and is applied as soon as its
     *       predecessors arrive (in this call or a later one). When the buffer is full the
     *       operation farthest ahead of its origin's applied sequence is dropped. Gaps, missing
     *       causal predecessors and drops are reported as {@link ResendRequest}s; a gap is repaired,
     *       never skipped.</li>
     *   <li>Applying advances {@code appliedSeq(origin)} and merges the planet's clock
     *       ({@link Planet#apply}: entry-wise max).</li>
     * </ul>
     *
     * <h2>Conflict outcomes</h2>
     * Every field of a city is a last-writer-wins register ordered by {@link Stamp} (sum of the
     * planet clock after the write, then origin id); a write that causally follows another always has
     * the higher stamp, so only concurrent writes are ever settled by the order. The outcome depends
     * only on the set of operations, never on the order of their arrival.
     * <table>
     *   <caption>What survives concurrent writes</caption>
     *   <tr><th>concurrent writes</th><th>outcome</th><th>counted as</th></tr>
     *   <tr><td>AddCity of one name on two replicas</td><td>two cities (distinct ids); the one with the
     *       smaller creation stamp is visible under the name, the other is kept, hidden, and listed
     *       in the dump's stored section; it becomes visible again if the visible one is deleted or
     *       renamed away</td><td>{@link ConflictKind#ADD_NAME_COLLISION}</td></tr>
     *   <tr><td>UpdateNumber vs UpdateNumber</td><td>higher stamp wins</td>
     *       <td>{@link ConflictKind#NUMBER_LOST} / {@link ConflictKind#NUMBER_OVERRIDDEN}</td></tr>
     *   <tr><td>UpdateName vs UpdateName</td><td>higher stamp wins</td>
     *       <td>{@link ConflictKind#NAME_LOST} / {@link ConflictKind#NAME_OVERRIDDEN}</td></tr>
     *   <tr><td>UpdateName vs UpdateNumber of one city</td><td>both survive: the renamed city has the
     *       new count (separate registers of one city id)</td><td>not a conflict</td></tr>
     *   <tr><td>UpdateName/UpdateNumber vs DeleteCity</td><td>delete wins; the city is a tombstone
     *       that keeps the last values</td><td>{@link ConflictKind#UPDATE_AFTER_DELETE} /
     *       {@link ConflictKind#DELETE_OVER_UPDATE}</td></tr>
     *   <tr><td>DeleteCity vs DeleteCity</td><td>deleted; the smaller delete stamp is kept</td>
     *       <td>{@link ConflictKind#CONCURRENT_DELETE}</td></tr>
     *   <tr><td>UpdateName to a name that a concurrent AddCity or UpdateName also took</td><td>two live
     *       cities with one name: same rule as concurrent AddCity (smaller creation stamp visible,
     *       the other hidden but kept)</td><td>{@link ConflictKind#RENAME_COLLISION} /
     *       {@link ConflictKind#ADD_NAME_COLLISION}</td></tr>
     * </table>
     * Counters are incremented at the replica that applies the peer operation, when that operation
     * loses, or when it overrides a value that it may not have seen: the override test is
     * conservative (it counts when the value's origin has writes on the planet that the incoming
     * operation had not seen), so it can over-count but never misses a lost write. Counters are
     * per replica and in memory; they are observability, not replicated state.
     */
    public MergeStep applyRemote(Collection<Operation> ops) {
        List<Operation> applied = new ArrayList<>();
        TreeMap<String, Planet> touched = new TreeMap<>();
        TreeMap<String, Long> advanced = new TreeMap<>();
        TreeSet<String> droppedOrigins = new TreeSet<>();
        int duplicates = 0;
        int buffered = 0;
        int dropped = 0;
        for (Operation op : ops) {
            Objects.requireNonNull(op, "operation");
            long seq = op.originSeq();
            TreeMap<Long, Operation> queue = pending.get(op.origin());
            if (seq <= appliedSeq(op.origin()) || (queue != null && queue.containsKey(seq))) {
                duplicates++;
                continue;
            }
            if (isNext(op) && causallyReady(op)) {
                applyPeerOperation(op, applied, touched, advanced);
                drain(applied, touched, advanced);
                continue;
            }
            if (pendingCount >= pendingCapacity) {
                Operation victim = farthestPending();
                if (victim == null || distance(victim) <= distance(op)) {
                    dropped++;
                    droppedOrigins.add(op.origin());
                    continue;
                }
                removePending(victim);
                dropped++;
                droppedOrigins.add(victim.origin());
            }
            pending.computeIfAbsent(op.origin(), o -> new TreeMap<>()).put(seq, op);
            pendingCount++;
            buffered++;
        }
        TreeMap<String, ResendRequest> requests = new TreeMap<>();
        for (String origin : droppedOrigins) {
            requests.put(origin, new ResendRequest(origin, appliedSeq(origin) + 1));
        }
        for (ResendRequest r : missingPredecessors()) {
            requests.put(r.origin(), r);
        }
        return new MergeStep(applied, touched, advanced, new ArrayList<>(requests.values()),
                duplicates, buffered, dropped);
    }

    /**
     * What to ask for after a peer announced its applied-sequence vector (on {@code fulcrum.status}):
     * for every origin of which the peer has applied more than this replica, a request from
     * {@code appliedSeq(origin) + 1}, unless that operation is already buffered. This is how a gap is
     * found when nothing else arrives from an origin (e.g. after a crash lost the buffer).
     */
    public List<ResendRequest> resendRequestsFor(Map<String, Long> announcedAppliedSeq) {
        TreeMap<String, ResendRequest> requests = new TreeMap<>();
        announcedAppliedSeq.forEach((origin, seq) -> {
            long next = appliedSeq(origin) + 1;
            TreeMap<Long, Operation> queue = pending.get(origin);
            if (seq != null && seq >= next && (queue == null || !queue.containsKey(next))) {
                requests.put(origin, new ResendRequest(origin, next));
            }
        });
        for (ResendRequest r : missingPredecessors()) {
            requests.putIfAbsent(r.origin(), r);
        }
        return new ArrayList<>(requests.values());
    }

    /** The requests needed to unblock the buffer: each origin whose next operation is missing. */
    public List<ResendRequest> missingPredecessors() {
        TreeSet<String> needed = new TreeSet<>();
        for (Map.Entry<String, TreeMap<Long, Operation>> e : pending.entrySet()) {
            String origin = e.getKey();
            Operation head = e.getValue().get(appliedSeq(origin) + 1);
            if (head == null) {
                needed.add(origin);
                continue;
            }
            VectorClock have = clockOf(head.planet());
            for (Map.Entry<String, Long> c : head.clock().asMap().entrySet()) {
                String j = c.getKey();
                if (!j.equals(origin) && have.get(j) < c.getValue()) {
                    TreeMap<Long, Operation> other = pending.get(j);
                    if (other == null || !other.containsKey(appliedSeq(j) + 1)) {
                        needed.add(j);
                    }
                }
            }
        }
        List<ResendRequest> out = new ArrayList<>();
        for (String origin : needed) {
            out.add(new ResendRequest(origin, appliedSeq(origin) + 1));
        }
        return out;
    }

    /** Number of peer operations waiting in the reorder buffer. */
    public int pendingCount() {
        return pendingCount;
    }

    /** Conflicts seen while applying peers' operations since this replica object was created. */
    public SortedMap<ConflictKind, Long> conflicts() {
        TreeMap<ConflictKind, Long> out = new TreeMap<>();
        for (ConflictKind k : ConflictKind.values()) {
            out.put(k, conflicts.getOrDefault(k, 0L));
        }
        return Collections.unmodifiableSortedMap(out);
    }

    private boolean isNext(Operation op) {
        return op.originSeq() == appliedSeq(op.origin()) + 1;
    }

    private boolean causallyReady(Operation op) {
        VectorClock have = clockOf(op.planet());
        for (Map.Entry<String, Long> e : op.clock().asMap().entrySet()) {
            if (!e.getKey().equals(op.origin()) && have.get(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private long distance(Operation op) {
        return op.originSeq() - appliedSeq(op.origin());
    }

    private Operation farthestPending() {
        Operation best = null;
        for (TreeMap<Long, Operation> queue : pending.values()) {
            Operation last = queue.lastEntry().getValue();
            if (best == null || distance(last) > distance(best)) {
                best = last;
            }
        }
        return best;
    }

    private void removePending(Operation op) {
        TreeMap<Long, Operation> queue = pending.get(op.origin());
        if (queue != null && queue.remove(op.originSeq()) != null) {
            pendingCount--;
            if (queue.isEmpty()) {
                pending.remove(op.origin());
            }
        }
    }

    private void drain(List<Operation> applied, TreeMap<String, Planet> touched, TreeMap<String, Long> advanced) {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String origin : new ArrayList<>(pending.keySet())) {
                TreeMap<Long, Operation> queue = pending.get(origin);
                if (queue == null) {
                    continue;
                }
                // discard anything that became a duplicate
                while (!queue.isEmpty() && queue.firstKey() <= appliedSeq(origin)) {
                    removePending(queue.firstEntry().getValue());
                }
                Operation head = queue.get(appliedSeq(origin) + 1);
                if (head != null && causallyReady(head)) {
                    removePending(head);
                    applyPeerOperation(head, applied, touched, advanced);
                    progress = true;
                }
            }
        }
    }

    private void applyPeerOperation(Operation op, List<Operation> applied, TreeMap<String, Planet> touched,
                                    TreeMap<String, Long> advanced) {
        Planet before = planets.getOrDefault(op.planet(), Planet.empty(op.planet(), VectorClock.zero(replicaIds)));
        Planet after = commit(op);
        countConflicts(op, before, after);
        applied.add(op);
        touched.put(op.planet(), after);
        advanced.put(op.origin(), op.originSeq());
    }

    private void countConflicts(Operation op, Planet before, Planet after) {
        City was = before.cities().getOrDefault(op.cityId(), City.unknown(op.cityId()));
        City now = after.cities().get(op.cityId());
        Stamp stamp = op.stamp();
        switch (op.kind()) {
            case AddCity -> {
                if (now.isLive() && collides(after, now)) {
                    count(ConflictKind.ADD_NAME_COLLISION);
                }
            }
            case UpdateName -> {
                if (was.deletedAt() != null) {
                    count(ConflictKind.UPDATE_AFTER_DELETE);
                } else if (!now.name().stamp().equals(stamp)) {
                    count(ConflictKind.NAME_LOST);
                } else {
                    if (mayNotHaveSeen(op, before, was.name())) {
                        count(ConflictKind.NAME_OVERRIDDEN);
                    }
                    if (now.isLive() && collides(after, now)) {
                        count(ConflictKind.RENAME_COLLISION);
                    }
                }
            }
            case UpdateNumber -> {
                if (was.deletedAt() != null) {
                    count(ConflictKind.UPDATE_AFTER_DELETE);
                } else if (!now.rebels().stamp().equals(stamp)) {
                    count(ConflictKind.NUMBER_LOST);
                } else if (mayNotHaveSeen(op, before, was.rebels())) {
                    count(ConflictKind.NUMBER_OVERRIDDEN);
                }
            }
            case DeleteCity -> {
                if (was.deletedAt() != null) {
                    count(ConflictKind.CONCURRENT_DELETE);
                } else if (mayNotHaveSeen(op, before, was.name()) || mayNotHaveSeen(op, before, was.rebels())) {
                    count(ConflictKind.DELETE_OVER_UPDATE);
                }
            }
            case GetNumberRebelds -> throw new IllegalArgumentException("a query is not an operation");
        }
    }

    /** Another live city of the planet has the same name as {@code city}. */
    private static boolean collides(Planet planet, City city) {
        for (City other : planet.cities().values()) {
            if (!other.id().equals(city.id()) && other.isLive() && other.name().value().equals(city.name().value())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Conservative test that {@code op} did not see the write behind {@code register}: true when that
     * write comes from another origin of which this replica has applied writes on the planet that the
     * operation's clock does not cover.
     */
    private static boolean mayNotHaveSeen(Operation op, Planet before, Register<?> register) {
        if (register == null) {
            return false;
        }
        String writer = register.stamp().origin();
        if (writer.equals(op.origin())) {
            return false;
        }
        return register.stamp().clockSum() >= op.stamp().clockSum()
                || before.clock().get(writer) > op.clock().get(writer);
    }

    private void count(ConflictKind kind) {
        conflicts.merge(kind, 1L, Long::sum);
    }

    private Step rejected(Command command, Planet planet, ErrorCode code, String message) {
        return new Step(Reply.failure(command.kind(), command.planet(), command.city(), self, planet.clock(), code, message),
                null, null);
    }

    private Planet commit(Operation op) {
        long expected = appliedSeq(op.origin()) + 1;
        if (op.originSeq() != expected) {
            throw new IllegalStateException("operation " + op.origin() + "#" + op.originSeq()
                    + " out of order: expected #" + expected);
        }
        Planet before = planets.getOrDefault(op.planet(), Planet.empty(op.planet(), VectorClock.zero(replicaIds)));
        Planet after = before.apply(op);
        planets.put(op.planet(), after);
        appliedSeq.put(op.origin(), op.originSeq());
        return after;
    }
}
