package fulcrum.core.router;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The flights waiting for an answer, with a fixed capacity, and their outstanding forwards by id.
 * Flights are kept in arrival order (the oldest is pushed out first). Deadlines are kept for the
 * latest forward of each query that still has a replica to move on to, in forward order: all
 * queries wait the same time, so the expired ones are at the head and a scan stops at the first
 * live one.
 */
final class InFlightTable {
    private final int capacity;
    private final int maxForwardsPerFlight;
    private final LinkedHashSet<Flight> flights = new LinkedHashSet<>();
    private final Map<String, Flight> byForward = new HashMap<>();
    private final LinkedHashMap<String, Long> deadlines = new LinkedHashMap<>();

    InFlightTable(int capacity, int replicas) {
        this.capacity = capacity;
        this.maxForwardsPerFlight = replicas;
    }

    int size() {
        return flights.size();
    }

    /**
     * Adds a new flight.
     *
     * @return the oldest flight, removed to make room at the capacity; null when there was room
     */
    Flight add(Flight flight) {
        Flight evicted = null;
        if (flights.size() >= capacity) {
            evicted = flights.iterator().next();
            remove(evicted);
        }
        flights.add(flight);
        return evicted;
    }

    /** Records {@code flight}'s forward {@code forwardId}; a deadline makes it expire at {@code deadlineMillis}. */
    void addForward(Flight flight, String forwardId, Long deadlineMillis) {
        if (!flights.contains(flight) || byForward.putIfAbsent(forwardId, flight) != null) {
            throw new IllegalStateException("forward " + forwardId + " of an unknown flight, or used twice");
        }
        flight.outstanding.add(forwardId);
        if (flight.outstanding.size() > maxForwardsPerFlight) {
            throw new IllegalStateException("a flight has more forwards than there are replicas");
        }
        if (deadlineMillis != null) {
            deadlines.put(forwardId, deadlineMillis);
        }
    }

    /** The flight waiting for {@code forwardId}, which is no longer outstanding; null when none waits. */
    Flight takeForward(String forwardId) {
        Flight flight = byForward.remove(forwardId);
        if (flight != null) {
            flight.outstanding.remove(forwardId);
            deadlines.remove(forwardId);
        }
        return flight;
    }

    /** Removes up to {@code max} expired deadlines, oldest first; their flights and forwards stay. */
    List<Flight> takeExpired(long nowMillis, int max) {
        List<Flight> expired = new ArrayList<>();
        Iterator<Map.Entry<String, Long>> it = deadlines.entrySet().iterator();
        while (expired.size() < max && it.hasNext()) {
            Map.Entry<String, Long> deadline = it.next();
            if (deadline.getValue() > nowMillis) {
                break;
            }
            it.remove();
            expired.add(byForward.get(deadline.getKey()));
        }
        return expired;
    }

    /** Forgets {@code flight} and every forward it still waits for. */
    void remove(Flight flight) {
        for (String forwardId : flight.outstanding) {
            byForward.remove(forwardId);
            deadlines.remove(forwardId);
        }
        flight.outstanding.clear();
        flights.remove(flight);
    }

    /** Empties the table, returning every flight. */
    List<Flight> removeAll() {
        List<Flight> all = new ArrayList<>(flights);
        all.forEach(this::remove);
        return all;
    }
}
