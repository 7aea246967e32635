package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.ConflictKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Stamp;
import fulcrum.core.store.CommandRecord;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Applies one op-log entry, own or a peer's, to the state: the city it writes (one key), the name
 * index, the planet clock (entry-wise max), the op log, the command record. The caller has checked
 * that the entry is the next of its origin and causally ready. Same code for own writes and for
 * merges, so a replica's own state and its peers' copies of it cannot drift apart.
 *
 * <h2>Conflict outcomes</h2>
 * Every field of a city is a last-writer-wins register ordered by {@link Stamp} (sum of the planet
 * clock after the write, then origin id); a write that causally follows another always has the
 * higher stamp, so only concurrent writes are settled by the order, and the outcome depends only on
 * the set of entries. Counted when a peer's entry loses, or overrides a value it may not have seen
 * (conservative: may over-count, never misses a lost write):
 * <table>
 *   <caption>What survives concurrent writes</caption>
 *   <tr><th>concurrent writes</th><th>outcome</th><th>counted as</th></tr>
 *   <tr><td>AddCity of one name on two replicas</td><td>two cities; the smaller creation stamp is
 *       visible, the other hidden until the visible one goes</td><td>ADD_NAME_COLLISION</td></tr>
 *   <tr><td>UpdateNumber vs UpdateNumber</td><td>higher stamp wins</td><td>NUMBER_LOST / NUMBER_OVERRIDDEN</td></tr>
 *   <tr><td>UpdateName vs UpdateName</td><td>higher stamp wins</td><td>NAME_LOST / NAME_OVERRIDDEN</td></tr>
 *   <tr><td>UpdateName vs UpdateNumber</td><td>both survive</td><td>not a conflict</td></tr>
 *   <tr><td>UpdateName/UpdateNumber vs DeleteCity</td><td>delete wins</td><td>UPDATE_AFTER_DELETE / DELETE_OVER_UPDATE</td></tr>
 *   <tr><td>DeleteCity vs DeleteCity</td><td>deleted, smaller stamp kept</td><td>CONCURRENT_DELETE</td></tr>
 *   <tr><td>UpdateName to a name another write took</td><td>as concurrent AddCity</td><td>RENAME_COLLISION</td></tr>
 * </table>
 */
final class EntryApplier {
    private final List<String> replicaIds;
    private final StateView view;
    private final EnumMap<ConflictKind, Long> conflicts = new EnumMap<>(ConflictKind.class);

    EntryApplier(List<String> replicaIds, StateView view) {
        this.replicaIds = replicaIds;
        this.view = view;
    }

    /** The planet's clock, zero when the planet is unknown. */
    VectorClock clockOf(String planet) {
        VectorClock c = view.clock(planet);
        return c == null ? VectorClock.zero(replicaIds) : c;
    }

    /**
     * The live city a reader sees under {@code name}: the one created first when a collision left
     * several (the others stay stored, hidden).
     */
    City visible(String planet, String name) {
        City best = null;
        for (String id : view.cityIdsNamed(planet, name)) {
            City c = view.city(planet, id);
            if (c == null || !c.isLive() || !c.name().value().equals(name)) {
                throw new IllegalStateException("name index files " + planet + "/" + name + " -> " + id
                        + " but the city is " + c);
            }
            if (best == null || CREATED.compare(c, best) < 0) {
                best = c;
            }
        }
        return best;
    }

    private static final Comparator<City> CREATED = Comparator.comparing(City::createdAt);

    /** Applies {@code op}, a new entry, and puts it in the op log; {@code fromPeer} counts conflicts (own writes never conflict). */
    void apply(Operation op, boolean fromPeer) {
        applyHeld(op, fromPeer);
        view.putOperation(op);
    }

    /**
     * Applies {@code op}, read from the op log (the merge holds every entry before applying it): written
     * there once, not again with its effect.
     */
    void applyHeld(Operation op, boolean fromPeer) {
        if (op.kind().changesState()) {
            VectorClock before = clockOf(op.planet());
            City was = view.city(op.planet(), op.cityId());
            City now = City.applying(was, op);
            view.putCity(op.planet(), was, now);
            view.putClock(op.planet(), before.merge(op.clock()));
            if (fromPeer) {
                countConflicts(op, before, was == null ? City.unknown(op.cityId()) : was, now);
            }
        }
        view.putCommandRecord(CommandRecord.of(op));
    }

    SortedMap<ConflictKind, Long> conflicts() {
        TreeMap<ConflictKind, Long> out = new TreeMap<>();
        for (ConflictKind k : ConflictKind.values()) {
            out.put(k, conflicts.getOrDefault(k, 0L));
        }
        return Collections.unmodifiableSortedMap(out);
    }

    private void countConflicts(Operation op, VectorClock before, City was, City now) {
        Stamp stamp = op.stamp();
        switch (op.kind()) {
            case AddCity -> {
                if (now.isLive() && collides(op.planet(), now)) {
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
                    if (now.isLive() && collides(op.planet(), now)) {
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
            case Refusal -> throw new IllegalArgumentException("a refusal changes no city");
        }
    }

    /** Another live city of the planet is filed under {@code city}'s name. */
    private boolean collides(String planet, City city) {
        for (String id : view.cityIdsNamed(planet, city.name().value())) {
            if (!id.equals(city.id())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Conservative test that {@code op} did not see the write behind {@code register}: true when that
     * write comes from another origin of which this replica has applied writes on the planet that the
     * entry's clock does not cover.
     */
    private static boolean mayNotHaveSeen(Operation op, VectorClock before, Register<?> register) {
        if (register == null) {
            return false;
        }
        String writer = register.stamp().origin();
        if (writer.equals(op.origin())) {
            return false;
        }
        return register.stamp().clockSum() >= op.stamp().clockSum() || before.get(writer) > op.clock().get(writer);
    }

    private void count(ConflictKind kind) {
        conflicts.merge(kind, 1L, Long::sum);
    }
}
