package fulcrum.core.replication;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Stamp;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * A canonical text dump of a replica's replicated state, printed by {@code ./fulcrum dump}. Two
 * replicas that applied the same set of operations produce byte-identical dumps (the replica's own
 * id, its buffer and its conflict counters are deliberately left out). Everything is sorted by
 * {@link String#compareTo}; lines end with {@code \n}; names never contain white space, so fields
 * are separated by single spaces.
 *
 * <pre>
 * fulcrum-dump 1
 * replicas A B C
 * applied [3,2,0]
 * == visible
 * Tatooine clock [1,0,2]
 * Tatooine Anchorhead 0
 * Tatooine MosEisley 5
 * == stored
 * Tatooine A:3 deleted name=Jundland@4:A rebels=7@5:B created=3:A deleted=6:C
 * Tatooine B:1 hidden name=MosEisley@2:B rebels=0@2:B created=2:B
 * </pre>
 *
 * The visible section has, per planet, a clock line (two words after the planet) and the cities a
 * reader sees in the seed's {@code planet city rebels} format (three words), sorted by city name.
 * Clocks and the applied vector list one value per replica of the {@code replicas} line. The stored
 * section lists every city that is not visible: {@code deleted} (tombstone), {@code hidden} (live,
 * but an older city has its name) or {@code incomplete} (its AddCity has not arrived), with each
 * register as {@code value@clockSum:origin} ({@code -} when unset).
 */
public final class CanonicalDump {
    private CanonicalDump() {
    }

    /**
     * @param planets every planet in name order; iterated twice (visible, then stored section), so a
     *                store can stream them rather than hold the whole state in memory
     */
    public static String of(Collection<String> replicaIds, Iterable<Planet> planets, Map<String, Long> appliedSeq) {
        TreeSet<String> ids = new TreeSet<>(replicaIds);
        ids.addAll(appliedSeq.keySet());
        StringBuilder out = new StringBuilder("fulcrum-dump 1\nreplicas");
        for (String id : ids) {
            out.append(' ').append(id);
        }
        out.append("\napplied ").append(vector(ids, appliedSeq)).append('\n');
        out.append("== visible\n");
        for (Planet p : planets) {
            out.append(p.name()).append(" clock ").append(vector(ids, p.clock().asMap())).append('\n');
            for (Map.Entry<String, City> e : p.visibleByName().entrySet()) {
                out.append(p.name()).append(' ').append(e.getKey()).append(' ')
                        .append(e.getValue().rebels().value()).append('\n');
            }
        }
        out.append("== stored\n");
        for (Planet p : planets) {
            for (City c : p.cities().values()) {
                if (p.isVisible(c)) {
                    continue;
                }
                String status = c.deletedAt() != null ? "deleted" : c.isLive() ? "hidden" : "incomplete";
                out.append(p.name()).append(' ').append(c.id()).append(' ').append(status)
                        .append(" name=").append(register(c.name()))
                        .append(" rebels=").append(register(c.rebels()))
                        .append(" created=").append(stamp(c.createdAt()));
                if (c.deletedAt() != null) {
                    out.append(" deleted=").append(stamp(c.deletedAt()));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** The seed's clock notation over the given replica ids, e.g. {@code [1,0,2]}. */
    public static String clock(Collection<String> replicaIds, VectorClock clock) {
        return vector(new TreeSet<>(replicaIds), clock.asMap());
    }

    private static String vector(TreeSet<String> ids, Map<String, Long> values) {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (String id : ids) {
            if (!first) {
                sb.append(',');
            }
            Long v = values.get(id);
            sb.append(v == null ? 0 : v);
            first = false;
        }
        return sb.append(']').toString();
    }

    private static String register(Register<?> r) {
        return r == null ? "-" : r.value() + "@" + stamp(r.stamp());
    }

    private static String stamp(Stamp s) {
        return s == null ? "-" : s.clockSum() + ":" + s.origin();
    }
}
