package fulcrum.core.replica;

import fulcrum.core.clock.VectorClock;
import java.util.Collections;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable planet: its vector clock and its cities keyed by city id. Replicas store a planet as
 * one key per city (a write touches one city, whatever the planet's size); this whole value is what
 * dumps, exports and tests assemble from those keys. Applying an operation is a
 * join (each city field a last-writer-wins register, the clock an entry-wise max), so the result of
 * a set of operations does not depend on the order, or the repetition, of their delivery.
 */
public record Planet(String name, VectorClock clock, SortedMap<String, City> cities) {

    public Planet {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(clock, "clock");
        cities = Collections.unmodifiableSortedMap(new TreeMap<>(cities));
    }

    public static Planet empty(String name, VectorClock zero) {
        return new Planet(name, zero, new TreeMap<>());
    }

    /**
     * The live city shown under {@code cityName}. When concurrent writes left two live cities with
     * one name, the one created first (smallest creation stamp) is shown; the others stay stored.
     */
    public Optional<City> findByName(String cityName) {
        return cities.values().stream()
                .filter(City::isLive)
                .filter(c -> c.name().value().equals(cityName))
                .min(Comparator.comparing(City::createdAt));
    }

    /**
     * The cities a reader sees, keyed by name: every live city that {@link #findByName} returns for
     * its own name. Live cities shadowed by an older city of the same name are left out (but kept).
     */
    public SortedMap<String, City> visibleByName() {
        TreeMap<String, City> visible = new TreeMap<>();
        for (City c : cities.values()) {
            if (c.isLive()) {
                visible.merge(c.name().value(), c, (a, b) -> a.createdAt().compareTo(b.createdAt()) <= 0 ? a : b);
            }
        }
        return Collections.unmodifiableSortedMap(visible);
    }

    /** Whether {@code city} is what a reader sees under its name. */
    public boolean isVisible(City city) {
        return city.isLive() && findByName(city.name().value()).map(c -> c.id().equals(city.id())).orElse(false);
    }

    /**
     * The join of two states of this planet (clock: entry-wise max; cities: field-wise join). Equal to
     * applying the union of the operations behind both states, in any order; useful to ship a whole
     * planet to a replica that can no longer be caught up from compacted op logs.
     */
    public Planet join(Planet other) {
        if (!other.name.equals(name)) {
            throw new IllegalArgumentException("joining planet " + name + " with planet " + other.name);
        }
        TreeMap<String, City> next = new TreeMap<>(cities);
        other.cities.forEach((id, city) -> next.merge(id, city, City::join));
        return new Planet(name, clock.merge(other.clock), next);
    }

    public Planet apply(Operation op) {
        if (!op.planet().equals(name)) {
            throw new IllegalArgumentException("operation for " + op.planet() + " applied to " + name);
        }
        if (!op.kind().changesState()) {
            return new Planet(name, clock, cities);
        }
        City after = City.applying(cities.get(op.cityId()), op);
        TreeMap<String, City> next = new TreeMap<>(cities);
        next.put(after.id(), after);
        return new Planet(name, clock.merge(op.clock()), next);
    }
}
