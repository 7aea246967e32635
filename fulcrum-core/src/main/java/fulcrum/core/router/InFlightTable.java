package fulcrum.core.router;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The flights waiting for a replica's reply, by current forward id, with a fixed capacity. Writes
 * and queries are kept apart, each in forward order: queries all wait the same time, so the ones
 * whose deadline passed are at the head of theirs and a timeout scan never walks past a live one.
 */
final class InFlightTable {
    private final int capacity;
    private final LinkedHashMap<String, Flight> writes = new LinkedHashMap<>();
    private final LinkedHashMap<String, Flight> queries = new LinkedHashMap<>();

    InFlightTable(int capacity) {
        this.capacity = capacity;
    }

    int size() {
        return writes.size() + queries.size();
    }

    /**
     * Adds {@code flight} under its forward id.
     *
     * @return the oldest flight, removed to make room at the capacity; null when there was room
     */
    Flight add(Flight flight) {
        Flight evicted = size() >= capacity ? removeOldest() : null;
        Flight previous = tableOf(flight).put(flight.forwardId, flight);
        if (previous != null) {
            throw new IllegalStateException("forward id " + flight.forwardId + " used twice");
        }
        assert size() <= capacity;
        return evicted;
    }

    /** The flight waiting for {@code forwardId}, removed; null when none does. */
    Flight remove(String forwardId) {
        Flight flight = writes.remove(forwardId);
        return flight != null ? flight : queries.remove(forwardId);
    }

    /** Removes and returns up to {@code max} queries whose deadline is at or before {@code nowMillis}, oldest first. */
    List<Flight> removeExpiredQueries(long nowMillis, int max) {
        List<Flight> expired = new ArrayList<>();
        Iterator<Flight> it = queries.values().iterator();
        while (expired.size() < max && it.hasNext()) {
            Flight query = it.next();
            if (query.deadlineMillis > nowMillis) {
                break;
            }
            it.remove();
            expired.add(query);
        }
        return expired;
    }

    /** Empties the table, returning every flight. */
    List<Flight> removeAll() {
        List<Flight> all = new ArrayList<>(writes.values());
        all.addAll(queries.values());
        writes.clear();
        queries.clear();
        return all;
    }

    private Flight removeOldest() {
        Flight oldestWrite = writes.isEmpty() ? null : writes.values().iterator().next();
        Flight oldestQuery = queries.isEmpty() ? null : queries.values().iterator().next();
        Flight oldest = oldestQuery == null || (oldestWrite != null && oldestWrite.sequence < oldestQuery.sequence)
                ? oldestWrite : oldestQuery;
        return remove(oldest.forwardId);
    }

    private LinkedHashMap<String, Flight> tableOf(Flight flight) {
        return flight.isWrite() ? writes : queries;
    }
}
