package fulcrum.core.store;

import fulcrum.core.clock.VectorClock;
import java.util.Objects;

/** A planet's vector clock, as a snapshot page carries it. */
public record PlanetClock(String planet, VectorClock clock) {
    public PlanetClock {
        Objects.requireNonNull(planet, "planet");
        Objects.requireNonNull(clock, "clock");
    }
}
