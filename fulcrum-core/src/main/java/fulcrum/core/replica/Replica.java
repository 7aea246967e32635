package fulcrum.core.replica;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The state machine of one replica, with no I/O: it takes commands and operations and returns what
 * to persist and what to answer. The caller (the worker, or a simulation) owns durability.
 */
public final class Replica {
    private final String self;
    private final List<String> replicaIds;
    private final TreeMap<String, Planet> planets;
    /** Highest origin sequence number applied, per origin (own writes included). */
    private final TreeMap<String, Long> appliedSeq;

    public Replica(String self, List<String> replicaIds, Map<String, Planet> planets, Map<String, Long> appliedSeq) {
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
