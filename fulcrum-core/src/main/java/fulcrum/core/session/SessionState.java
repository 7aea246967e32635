package fulcrum.core.session;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one client session has seen, per planet: the greatest planet clock it has written or read
 * (entry-wise max of the clocks of the replies it accepted) and the replica that gave it. Immutable:
 * {@link #observe} returns a new state, so a long-running client keeps one reference per session and
 * the CLIs load it from, and save it to, a session file ({@link #toData()} / {@link #fromData}).
 *
 * <h2>What the clock means</h2>
 * Causal delivery keeps a replica's planet clock equal, per origin, to the number of operations of
 * that origin applied to that planet (see {@code Replica.applyRemote}). So a replica whose clock for a
 * planet dominates {@link #requiredClock} has applied every write the session wrote or read on that
 * planet. Every command and query carries that clock; a replica that does not dominate it answers
 * {@code STALE}, and the client checks every reply again ({@link #check}). Together that gives the
 * four session guarantees of Terry et al. (1994) <em>per planet</em> (the registry's unit of
 * consistency):
 * <ul>
 *   <li>read-your-writes: a read is served by a state that holds the session's writes;</li>
 *   <li>monotonic reads: a read is served by a state at least as new as the previous reads;</li>
 *   <li>monotonic writes: a write is applied on top of the session's earlier writes, so its
 *       operation's clock dominates theirs and every replica orders it after them;</li>
 *   <li>writes-follow-reads: a write is applied on top of what the session read.</li>
 * </ul>
 * Nothing is promised across planets (a session's write on one planet may become visible elsewhere
 * before its earlier write on another planet), because the replicas track causality per planet.
 *
 * <h2>Which replies count</h2>
 * <ul>
 *   <li>a success: checked (its clock must dominate the session's clock for its planet), then
 *       observed;</li>
 *   <li>a refusal decided by the replica's state ({@code CITY_NOT_FOUND}, {@code CITY_ALREADY_EXISTS})
 *       is an observation of that state ("no such city at clock c"): checked and observed the same
 *       way, so that a city the session saw deleted never reappears;</li>
 *   <li>{@code STALE} and {@code UNAVAILABLE}: refused with that code (the router or client tries
 *       another replica, or gives up); they never advance the session;</li>
 *   <li>input errors ({@code INVALID_ARGUMENT}, {@code BAD_MESSAGE}, {@code UNKNOWN_COMMAND}) say
 *       nothing about the state: accepted, not observed.</li>
 * </ul>
 * A reply that {@link #check} refuses never advances the session.
 */
public final class SessionState {
    private static final SessionState EMPTY = new SessionState(new TreeMap<>());

    /**
     * The plain-data form of one planet's entry, for a JSON session file.
     *
     * @param clock   the session's clock for the planet (replica id to count)
     * @param replica the replica whose reply gave that clock (null if unknown, e.g. an edited file)
     */
    public record Entry(SortedMap<String, Long> clock, String replica) {
        public Entry {
            clock = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(clock, "clock")));
        }
    }

    private record Known(VectorClock clock, String replica) {
    }

    private final SortedMap<String, Known> planets;

    private SessionState(TreeMap<String, Known> planets) {
        this.planets = Collections.unmodifiableSortedMap(planets);
    }

    /** A session that has seen nothing: every requirement is the zero clock. */
    public static SessionState empty() {
        return EMPTY;
    }

    /** Rebuilds a session from {@link #toData()} (e.g. read from a session file). */
    public static SessionState fromData(Map<String, Entry> data) {
        TreeMap<String, Known> planets = new TreeMap<>();
        data.forEach((planet, entry) -> planets.put(Objects.requireNonNull(planet, "planet"),
                new Known(VectorClock.of(entry.clock()), entry.replica())));
        return new SessionState(planets);
    }

    /** The plain-data view: planet to (clock, replica), sorted by planet. */
    public SortedMap<String, Entry> toData() {
        TreeMap<String, Entry> out = new TreeMap<>();
        planets.forEach((planet, known) -> out.put(planet, new Entry(known.clock().asMap(), known.replica())));
        return Collections.unmodifiableSortedMap(out);
    }

    /** The clock a replica's planet must dominate to serve this session; the zero clock when unknown. */
    public VectorClock requiredClock(String planet) {
        Known known = planets.get(planet);
        return known == null ? VectorClock.empty() : known.clock();
    }

    /** The replica that gave {@link #requiredClock}, if any. */
    public Optional<String> lastReplica(String planet) {
        Known known = planets.get(planet);
        return known == null ? Optional.empty() : Optional.ofNullable(known.replica());
    }

    /**
     * Whether the client may accept {@code reply}: see the class comment for which replies are
     * checked. A checked reply is refused with {@code STALE} when it has no clock or replica, or when
     * its clock does not dominate the session's clock for its planet (that answer would break
     * read-your-writes, monotonic reads, monotonic writes or writes-follow-reads).
     */
    public Verdict check(Reply reply) {
        Objects.requireNonNull(reply, "reply");
        if (!reply.ok()) {
            ErrorCode code = reply.errorCode();
            if (code == ErrorCode.STALE || code == ErrorCode.UNAVAILABLE) {
                return Verdict.refuse(code, reply.errorMessage() != null ? reply.errorMessage()
                        : (code == ErrorCode.STALE ? "replica " + reply.replica() + " is behind the session"
                        : "no replica could answer"));
            }
            if (!isStateRefusal(reply)) {
                return Verdict.accept();
            }
        }
        String what = describe(reply);
        if (reply.planet() == null || reply.clock() == null || reply.replica() == null) {
            return Verdict.refuse(ErrorCode.STALE, what + " carries no planet clock and replica, so it cannot be "
                    + "checked against the session");
        }
        VectorClock required = requiredClock(reply.planet());
        if (!reply.clock().dominates(required)) {
            return Verdict.refuse(ErrorCode.STALE, what + " from replica " + reply.replica() + " has clock "
                    + reply.clock().asMap() + " of " + reply.planet() + ", older than the session's "
                    + required.asMap() + lastReplica(reply.planet()).map(r -> " (seen at " + r + ")").orElse(""));
        }
        return Verdict.accept();
    }

    /**
     * The session after the client accepted {@code reply}: for its planet, the entry-wise max of the
     * session's clock and the reply's, and the reply's replica. Unchanged when {@link #check} refuses
     * the reply or when the reply says nothing about the state (input errors).
     */
    public SessionState observe(Reply reply) {
        if (!check(reply).accepted() || !(reply.ok() || isStateRefusal(reply))) {
            return this;
        }
        Known before = planets.get(reply.planet());
        VectorClock merged = before == null ? reply.clock() : before.clock().merge(reply.clock());
        if (before != null && before.clock().equals(merged) && Objects.equals(before.replica(), reply.replica())) {
            return this;
        }
        TreeMap<String, Known> next = new TreeMap<>(planets);
        next.put(reply.planet(), new Known(merged, reply.replica()));
        return new SessionState(next);
    }

    /** Planets the session has seen, sorted. */
    public java.util.SortedSet<String> planets() {
        return Collections.unmodifiableSortedSet(new java.util.TreeSet<>(planets.keySet()));
    }

    private static boolean isStateRefusal(Reply reply) {
        return !reply.ok() && (reply.errorCode() == ErrorCode.CITY_NOT_FOUND
                || reply.errorCode() == ErrorCode.CITY_ALREADY_EXISTS);
    }

    private static String describe(Reply reply) {
        String kind = reply.command() == null ? "reply" : reply.command().toString();
        return reply.ok() ? kind + " reply" : kind + " refusal " + reply.errorCode();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionState other && planets.equals(other.planets);
    }

    @Override
    public int hashCode() {
        return planets.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Session{");
        planets.forEach((p, k) -> sb.append(sb.length() > 8 ? ", " : "").append(p).append('=')
                .append(k.clock()).append('@').append(k.replica()));
        return sb.append('}').toString();
    }
}
