package fulcrum.core.session;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.Reply;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The router's knowledge of the replicas, for {@link SessionRouting}: per replica and planet, a
 * lower bound of that replica's planet clock, namely the entry-wise max of every clock the replica
 * reported for the planet (in a reply, success or refusal, {@code STALE} included, or in a status
 * message listing planet clocks).
 *
 * <p>Sound because a replica's planet clock never decreases: it is merged on every applied operation,
 * persisted with it in one synced write, and restored on restart (the replication simulation checks
 * this after every event). So a clock reported earlier, however late it arrives, is still below the
 * replica's current clock, and "known clock dominates required" implies "current clock dominates
 * required". (Losing a replica's disk would break this; the replica's own check still answers
 * {@code STALE} then, so a guarantee is never broken, only a retry is needed.)
 *
 * <p>Mutable and not thread-safe: one instance per routing thread, or guard it.
 */
public final class ReplicaKnowledge {
    private final Map<String, Map<String, VectorClock>> clocks = new HashMap<>();

    /** Learns that {@code replica}'s clock for {@code planet} was at least {@code clock}. */
    public void learn(String replica, String planet, VectorClock clock) {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(planet, "planet");
        Objects.requireNonNull(clock, "clock");
        clocks.computeIfAbsent(replica, r -> new HashMap<>()).merge(planet, clock, VectorClock::merge);
    }

    /** Learns from a reply that names its replica, planet and clock (others teach nothing). */
    public void learn(Reply reply) {
        if (reply.replica() != null && reply.planet() != null && reply.clock() != null) {
            learn(reply.replica(), reply.planet(), reply.clock());
        }
    }

    /** Learns from a status message listing {@code replica}'s planet clocks. */
    public void learnStatus(String replica, Map<String, VectorClock> planetClocks) {
        planetClocks.forEach((planet, clock) -> learn(replica, planet, clock));
    }

    /** The greatest clock known for {@code replica} on {@code planet}; the zero clock when unknown. */
    public VectorClock knownClock(String replica, String planet) {
        Map<String, VectorClock> perPlanet = clocks.get(replica);
        VectorClock clock = perPlanet == null ? null : perPlanet.get(planet);
        return clock == null ? VectorClock.empty() : clock;
    }

    /** Whether {@code replica} is known to have every write behind {@code required} on {@code planet}. */
    public boolean knownToDominate(String replica, String planet, VectorClock required) {
        return knownClock(replica, planet).dominates(required);
    }

    /** Forgets a replica (e.g. removed from the cluster). Forgetting is always safe. */
    public void forget(String replica) {
        clocks.remove(replica);
    }

    /** Everything known, for status output and tests: replica to planet to clock. */
    public SortedMap<String, SortedMap<String, VectorClock>> snapshot() {
        TreeMap<String, SortedMap<String, VectorClock>> out = new TreeMap<>();
        clocks.forEach((r, m) -> out.put(r, Collections.unmodifiableSortedMap(new TreeMap<>(m))));
        return Collections.unmodifiableSortedMap(out);
    }
}
