package fulcrum.core.replication;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The seed's text formats, for people and graders ({@code ./fulcrum export}). RocksDB is the store
 * of record; these files are a view of it.
 *
 * <p>Planet file: a first line {@code # clock [x,y,z]} (one value per replica, in replica-id order),
 * then one line {@code planet city rebels} per visible city, sorted by city name.
 *
 * <p>Log file: one line {@code action planet city [value]} per operation of the planet still in the
 * op log (not yet compacted), in the order of their stamps (clock sum, then origin), which extends
 * the causal order: {@code AddCity planet city rebels}, {@code UpdateName planet city newName},
 * {@code UpdateNumber planet city rebels}, {@code DeleteCity planet city}. {@code city} is the city's
 * name just before the operation, as far as the log tells; for a city whose earlier operations were
 * compacted away, its current (or last) name.
 */
public final class SeedFormat {
    private SeedFormat() {
    }

    public static String planetFile(Planet planet, Collection<String> replicaIds) {
        StringBuilder out = new StringBuilder("# clock ").append(clockLine(planet.clock(), replicaIds)).append('\n');
        planet.visibleByName().forEach((name, city) ->
                out.append(planet.name()).append(' ').append(name).append(' ').append(city.rebels().value()).append('\n'));
        return out.toString();
    }

    public static String logFile(Planet planet, List<Operation> operations) {
        List<Operation> ops = new ArrayList<>();
        for (Operation op : operations) {
            if (op.planet().equals(planet.name()) && op.kind().changesState()) {
                ops.add(op);
            }
        }
        ops.sort(Comparator.comparing(Operation::stamp));
        Map<String, String> names = new HashMap<>();
        StringBuilder out = new StringBuilder();
        for (Operation op : ops) {
            String before = names.getOrDefault(op.cityId(), currentName(planet, op.cityId(), op));
            out.append(op.kind()).append(' ').append(op.planet()).append(' ');
            switch (op.kind()) {
                case AddCity -> {
                    out.append(op.name()).append(' ').append(op.rebels());
                    names.put(op.cityId(), op.name());
                }
                case UpdateName -> {
                    out.append(before).append(' ').append(op.name());
                    names.put(op.cityId(), op.name());
                }
                case UpdateNumber -> out.append(before).append(' ').append(op.rebels());
                case DeleteCity -> out.append(before);
                default -> throw new IllegalStateException("not an operation: " + op.kind());
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String currentName(Planet planet, String cityId, Operation op) {
        City city = planet.cities().get(cityId);
        if (city != null && city.name() != null) {
            return city.name().value();
        }
        return op.name() != null ? op.name() : cityId;
    }

    static String clockLine(VectorClock clock, Collection<String> replicaIds) {
        TreeSet<String> ids = new TreeSet<>(replicaIds);
        ids.addAll(clock.asMap().keySet());
        StringBuilder out = new StringBuilder("[");
        for (String id : ids) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(clock.get(id));
        }
        return out.append(']').toString();
    }
}
