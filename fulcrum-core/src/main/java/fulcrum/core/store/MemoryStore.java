package fulcrum.core.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link ReplicaStore} in memory, with the same semantics as the RocksDB store (a commit is
 * atomic; what was committed survives a "crash" of the node that uses it, because the store object
 * outlives the node). The store that simulations and unit tests give to the replica node; losing a
 * disk is replacing it with a new one.
 */
public final class MemoryStore implements ReplicaStore, StateScan {
    private StoreMeta meta;
    private final TreeMap<String, VectorClock> clocks = new TreeMap<>();
    private final TreeMap<String, TreeMap<String, City>> cities = new TreeMap<>();
    private final HashMap<String, TreeSet<String>> names = new HashMap<>();
    private final TreeMap<String, TreeMap<Long, Operation>> ops = new TreeMap<>();
    private final HashMap<String, Reply> replies = new HashMap<>();
    private final TreeMap<String, List<CommandRecord>> commands = new TreeMap<>(); // each list whole, in StoreBatch.RECORD_ORDER
    private long commits;

    public MemoryStore(String replicaId) {
        this.meta = StoreMeta.fresh(replicaId);
    }

    /** How many batches were committed (a simulation's measure of work). */
    public long commits() {
        return commits;
    }

    @Override
    public StoreMeta meta() {
        return meta;
    }

    @Override
    public VectorClock planetClock(String planet) {
        return clocks.get(planet);
    }

    @Override
    public City city(String planet, String cityId) {
        TreeMap<String, City> onPlanet = cities.get(planet);
        return onPlanet == null ? null : onPlanet.get(cityId);
    }

    @Override
    public List<String> cityIdsNamed(String planet, String name) {
        TreeSet<String> ids = names.get(nameKey(planet, name));
        return ids == null ? List.of() : List.copyOf(ids);
    }

    @Override
    public Reply reply(String commandId) {
        return replies.get(commandId);
    }

    @Override
    public List<CommandRecord> commandRecords(String commandId) {
        return commands.getOrDefault(commandId, List.of());
    }

    @Override
    public List<Operation> operations(String origin, long fromSeq, int limit) {
        TreeMap<Long, Operation> log = ops.get(origin);
        if (log == null || limit <= 0) {
            return List.of();
        }
        List<Operation> out = new ArrayList<>();
        for (Operation op : log.tailMap(fromSeq, true).values()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(op);
        }
        return out;
    }

    @Override
    public long lastOperationSeq(String origin) {
        TreeMap<Long, Operation> log = ops.get(origin);
        return log == null || log.isEmpty() ? 0 : log.lastKey();
    }

    /** Every op-log entry still held, by origin then sequence (for checks and dumps). */
    public List<Operation> allOperations() {
        List<Operation> out = new ArrayList<>();
        ops.values().forEach(log -> out.addAll(log.values()));
        return out;
    }

    /** Every command record, by command id then origin. */
    public List<CommandRecord> allCommandRecords() {
        List<CommandRecord> out = new ArrayList<>();
        commands.values().forEach(out::addAll);
        return out;
    }

    @Override
    public Iterable<Planet> planets() {
        List<Planet> out = new ArrayList<>();
        for (Map.Entry<String, VectorClock> e : clocks.entrySet()) {
            out.add(new Planet(e.getKey(), e.getValue(), cities.getOrDefault(e.getKey(), new TreeMap<>())));
        }
        return out;
    }

    @Override
    public void commit(StoreBatch batch) {
        Objects.requireNonNull(batch, "batch");
        StoreMeta next = meta.after(batch); // checks the meta invariants before anything changes
        if (batch.clearsData()) {
            clocks.clear();
            cities.clear();
            names.clear();
            replies.clear();
            commands.clear();
        }
        clocks.putAll(batch.clocks());
        batch.cities().forEach((k, city) -> cities.computeIfAbsent(k.planet(), p -> new TreeMap<>()).put(k.cityId(), city));
        batch.names().forEach((k, ids) -> {
            if (ids.isEmpty()) {
                names.remove(nameKey(k.planet(), k.name()));
            } else {
                names.put(nameKey(k.planet(), k.name()), new TreeSet<>(ids));
            }
        });
        for (Operation op : batch.operations()) {
            ops.computeIfAbsent(op.origin(), o -> new TreeMap<>()).put(op.originSeq(), op);
        }
        for (StoreBatch.EntryKey k : batch.droppedOperations()) {
            TreeMap<Long, Operation> log = ops.get(k.origin());
            if (log != null) {
                log.remove(k.seq());
            }
        }
        replies.putAll(batch.replies());
        commands.putAll(batch.commandRecords());
        batch.compactUpTo().forEach((origin, upTo) -> {
            TreeMap<Long, Operation> log = ops.get(origin);
            if (log != null) {
                log.headMap(upTo, true).clear();
            }
        });
        meta = next;
        commits++;
    }

    @Override
    public SnapshotView openSnapshot() {
        List<Object> items = new ArrayList<>();
        clocks.forEach((planet, clock) -> items.add(new PlanetClock(planet, clock)));
        cities.forEach((planet, onPlanet) -> onPlanet.values().forEach(c -> items.add(new CityEntry(planet, c))));
        commands.values().forEach(items::addAll);
        StoreMeta at = meta;
        return new SnapshotView() {
            @Override
            public StoreMeta meta() {
                return at;
            }

            @Override
            public SnapshotPage page(String cursor, int maxItems) {
                int from;
                try {
                    from = cursor == null ? 0 : Integer.parseInt(cursor);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a cursor of this snapshot: " + cursor);
                }
                if (from < 0 || from > items.size() || maxItems < 1) {
                    throw new IllegalArgumentException("not a cursor of this snapshot: " + cursor);
                }
                int to = Math.min(items.size(), from + maxItems);
                List<PlanetClock> pageClocks = new ArrayList<>();
                List<CityEntry> pageCities = new ArrayList<>();
                List<CommandRecord> pageCommands = new ArrayList<>();
                for (Object item : items.subList(from, to)) {
                    if (item instanceof PlanetClock c) {
                        pageClocks.add(c);
                    } else if (item instanceof CityEntry c) {
                        pageCities.add(c);
                    } else {
                        pageCommands.add((CommandRecord) item);
                    }
                }
                return new SnapshotPage(pageClocks, pageCities, pageCommands, to == items.size() ? null : Integer.toString(to));
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }

    @Override
    public void close() {
        // nothing held
    }

    /** Cities of one planet, for tests. */
    public SortedMap<String, City> cities(String planet) {
        return new TreeMap<>(cities.getOrDefault(planet, new TreeMap<>()));
    }

    private static String nameKey(String planet, String name) {
        return planet + '\0' + name;
    }
}
