package fulcrum.core.store;

import fulcrum.core.replica.Planet;

/**
 * A whole-state read, planet by planet, for dumps and exports (never on the write path). Each
 * planet is assembled from its clock and its cities; iterating twice reads twice.
 */
public interface StateScan {
    /** Every planet that has a clock, in name order. */
    Iterable<Planet> planets();
}
