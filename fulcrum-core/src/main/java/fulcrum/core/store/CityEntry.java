package fulcrum.core.store;

import fulcrum.core.replica.City;
import java.util.Objects;

/** A city and the planet it belongs to, as a snapshot page carries it. */
public record CityEntry(String planet, City city) {
    public CityEntry {
        Objects.requireNonNull(planet, "planet");
        Objects.requireNonNull(city, "city");
    }
}
