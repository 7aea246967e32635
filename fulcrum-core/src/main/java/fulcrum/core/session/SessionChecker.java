package fulcrum.core.session;

import fulcrum.core.clock.VectorClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a recorded history of accepted replies against the four session guarantees of Terry et al.
 * (1994), expressed on planet clocks, per session and planet. Event {@code j} of a session on a
 * planet must have a clock that dominates the clock of every earlier event {@code i} of that session
 * on that planet; which guarantee a failure breaks depends on the roles of {@code i} and {@code j}:
 * <table>
 *   <caption>guarantee by (earlier, later) role</caption>
 *   <tr><th>earlier i</th><th>later j</th><th>guarantee</th></tr>
 *   <tr><td>write</td><td>read</td><td>read-your-writes: the read's state holds the write</td></tr>
 *   <tr><td>read</td><td>read</td><td>monotonic reads: the state read never goes back</td></tr>
 *   <tr><td>write</td><td>write</td><td>monotonic writes: the write is applied on top of the
 *       earlier one, so every replica orders it after it</td></tr>
 *   <tr><td>read</td><td>write</td><td>writes-follow-reads: the write is applied on top of the
 *       writes the session read</td></tr>
 * </table>
 * A write's reply clock is the planet clock right after it; it dominates an earlier clock iff the
 * state it was applied to did (the writer's own entry of any earlier clock is at most its own count
 * before the write), so checking reply clocks is checking the state each write was applied to.
 * Clocks mean contents because causal delivery keeps a planet clock equal to the count, per origin,
 * of operations applied to that planet.
 *
 * <p>Events with role {@code NONE} (input errors, STALE, UNAVAILABLE) are skipped. Each failing
 * (event, guarantee) pair is reported once, naming the earliest earlier event it contradicts.
 * Linear in the history when it is valid (each event is compared with the join of the earlier ones).
 */
public final class SessionChecker {

    public enum Guarantee {
        READ_YOUR_WRITES, MONOTONIC_READS, MONOTONIC_WRITES, WRITES_FOLLOW_READS;

        static Guarantee of(SessionEvent.Role earlier, SessionEvent.Role later) {
            if (later == SessionEvent.Role.READ) {
                return earlier == SessionEvent.Role.WRITE ? READ_YOUR_WRITES : MONOTONIC_READS;
            }
            return earlier == SessionEvent.Role.WRITE ? MONOTONIC_WRITES : WRITES_FOLLOW_READS;
        }
    }

    /**
     * @param index   index in the history of the event that breaks the guarantee
     * @param earlier index of the earliest earlier event of that session and planet it contradicts
     */
    public record Violation(int index, Guarantee guarantee, String session, String planet, int earlier,
                            String reason) {
        @Override
        public String toString() {
            return "#" + index + " " + guarantee + ": " + reason;
        }
    }

    private SessionChecker() {
    }

    public static List<Violation> check(List<SessionEvent> history) {
        Map<String, Map<String, PerPlanet>> state = new HashMap<>();
        List<Violation> violations = new ArrayList<>();
        for (int j = 0; j < history.size(); j++) {
            SessionEvent e = history.get(j);
            SessionEvent.Role role = e.role();
            if (role == SessionEvent.Role.NONE) {
                continue;
            }
            PerPlanet seen = state.computeIfAbsent(e.session(), s -> new HashMap<>())
                    .computeIfAbsent(e.planet(), p -> new PerPlanet());
            for (SessionEvent.Role earlierRole : new SessionEvent.Role[] {SessionEvent.Role.WRITE, SessionEvent.Role.READ}) {
                VectorClock join = earlierRole == SessionEvent.Role.WRITE ? seen.writes : seen.reads;
                if (e.clock().dominates(join)) {
                    continue;
                }
                for (int i : seen.indices) {
                    SessionEvent earlier = history.get(i);
                    if (earlier.role() == earlierRole && !e.clock().dominates(earlier.clock())) {
                        Guarantee g = Guarantee.of(earlierRole, role);
                        violations.add(new Violation(j, g, e.session(), e.planet(), i,
                                "session " + e.session() + " " + e.command() + " on " + e.planet() + " at "
                                        + e.replica() + " got clock " + e.clock().asMap() + ", not after the "
                                        + earlierRole.name().toLowerCase() + " #" + i + " at " + earlier.replica()
                                        + " with clock " + earlier.clock().asMap()));
                        break;
                    }
                }
            }
            if (role == SessionEvent.Role.WRITE) {
                seen.writes = seen.writes.merge(e.clock());
            } else {
                seen.reads = seen.reads.merge(e.clock());
            }
            seen.indices.add(j);
        }
        return Collections.unmodifiableList(violations);
    }

    private static final class PerPlanet {
        VectorClock writes = VectorClock.empty();
        VectorClock reads = VectorClock.empty();
        final List<Integer> indices = new ArrayList<>();
    }
}
