package fulcrum.core.session;

import fulcrum.core.clock.VectorClock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Where the router sends a session's command or query: an ordered list of replicas to try.
 * <ol>
 *   <li>the replicas <em>known to dominate</em> the session's required clock for the planet, in a
 *       random order (so load spreads whenever clocks allow; with no requirement every replica
 *       qualifies);</li>
 *   <li>then the replica that last served the session on that planet (the seed's "specific replica":
 *       it gave the session its clock and planet clocks never decrease, so it dominates unless its
 *       disk was lost or the session file was edited);</li>
 *   <li>then the rest, fewest missing operations first (by what is known), ties at random. They may
 *       answer {@code STALE}; the caller then tries the next one.</li>
 * </ol>
 *
 * <h2>Which knowledge, and why it is sound</h2>
 * "Known to dominate" uses {@link ReplicaKnowledge}: per replica and planet, the greatest planet
 * clock that replica reported (in replies, which carry the planet clock, and status messages). A
 * planet clock never decreases at a replica, so a reported clock is a lower bound of its current one,
 * and domination by the known clock implies domination by the real one. Causal delivery makes a
 * planet clock count, per origin, the operations of that origin applied to that planet, so
 * domination means the replica has every write the session wrote or read there.
 *
 * <p>The applied-sequence vector that replicas announce on {@code fulcrum.status} is <em>not</em>
 * usable directly: {@code appliedSeq[X]} counts X's operations on <em>all</em> planets, a planet clock
 * entry counts X's operations on <em>one</em> planet, so the two are in different units. E.g. a
 * session wrote X's 5th operation, its first on planet P, and holds {@code P: {X:1}}; a replica that
 * applied X#1..X#3 (other planets) has {@code appliedSeq[X] = 3 >= 1} but {@code P: {X:0}}.
 * (It would be sound to compare applied vectors with applied vectors: a replica whose applied vector
 * dominates the one the serving replica had when it answered has applied a superset of its
 * operations. That needs replies to carry the applied vector; see {@code package-info}.)
 *
 * <p>The replica's own check ({@code replica.clockOf(planet).dominates(required)}, else {@code STALE})
 * and the client's {@link SessionState#check} enforce the guarantees whatever this policy returns;
 * the policy only makes {@code STALE} answers rare.
 *
 * <p>Not thread-safe if the random generator is not (one instance per routing thread).
 */
public final class SessionRouting {

    /**
     * The order to try.
     *
     * @param dominating  replicas known to dominate the requirement, shuffled
     * @param lastReplica the replica that last served the session, when it is not among
     *                    {@code dominating} and is one of the replicas; else null
     * @param rest        the others, fewest known missing operations first
     */
    public record Route(List<String> dominating, String lastReplica, List<String> rest) {
        public Route {
            dominating = List.copyOf(dominating);
            rest = List.copyOf(rest);
        }

        /** All replicas, in the order to try them. */
        public List<String> order() {
            List<String> out = new ArrayList<>(dominating);
            if (lastReplica != null) {
                out.add(lastReplica);
            }
            out.addAll(rest);
            return Collections.unmodifiableList(out);
        }
    }

    private final List<String> replicas;
    private final RandomGenerator random;

    /** @param random seeded in tests and simulations, e.g. {@code new SplittableRandom()} in the router */
    public SessionRouting(Collection<String> replicas, RandomGenerator random) {
        this.replicas = List.copyOf(new LinkedHashSet<>(replicas));
        if (this.replicas.isEmpty()) {
            throw new IllegalArgumentException("no replicas to route to");
        }
        this.random = Objects.requireNonNull(random, "random");
    }

    public List<String> replicas() {
        return replicas;
    }

    /** {@link #route}{@code .order()}. */
    public List<String> order(String planet, VectorClock required, String lastReplica, ReplicaKnowledge knowledge) {
        return route(planet, required, lastReplica, knowledge).order();
    }

    /**
     * @param required    the session's required clock for {@code planet} (zero clock when none)
     * @param lastReplica the replica that last served the session on {@code planet}, or null
     */
    public Route route(String planet, VectorClock required, String lastReplica, ReplicaKnowledge knowledge) {
        Objects.requireNonNull(planet, "planet");
        Objects.requireNonNull(required, "required");
        Objects.requireNonNull(knowledge, "knowledge");
        List<String> dominating = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String r : replicas) {
            if (knowledge.knownToDominate(r, planet, required)) {
                dominating.add(r);
            } else if (!r.equals(lastReplica)) {
                rest.add(r);
            }
        }
        shuffle(dominating);
        shuffle(rest);
        Map<String, Long> missing = new java.util.HashMap<>();
        for (String r : rest) {
            missing.put(r, missing(required, knowledge.knownClock(r, planet)));
        }
        rest.sort(Comparator.comparingLong(missing::get)); // stable: ties keep the shuffled order
        String last = lastReplica != null && replicas.contains(lastReplica) && !dominating.contains(lastReplica)
                ? lastReplica : null;
        return new Route(dominating, last, rest);
    }

    /** Operations behind {@code required} that {@code known} does not cover (a lower bound of the lag). */
    static long missing(VectorClock required, VectorClock known) {
        long total = 0;
        for (int i = 0; i < required.size(); i++) {
            total += Math.max(0, required.countAt(i) - known.get(required.idAt(i)));
        }
        return total;
    }

    private void shuffle(List<String> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Collections.swap(list, i, j);
        }
    }
}
