package fulcrum.chaos.check;

import fulcrum.core.clock.VectorClock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether the stopped replicas converged: byte-identical dumps, and equal clocks for every planet
 * (a planet one replica lacks counts as unequal). Each difference is noted in the findings.
 */
record Convergence(boolean dumpsIdentical, boolean clocksEqual) {
    static Convergence of(List<FinalReplica> replicas, Findings findings) {
        if (replicas.isEmpty()) {
            findings.note("no replica store to check");
            return new Convergence(false, false);
        }
        boolean dumpsIdentical = true;
        boolean clocksEqual = true;
        FinalReplica first = replicas.get(0);
        for (FinalReplica r : replicas.subList(1, replicas.size())) {
            if (!r.dump().equals(first.dump())) {
                dumpsIdentical = false;
                findings.note("dump of " + r.id() + " differs from " + first.id() + "'s");
            }
            Set<String> names = new TreeSet<>(first.planets().keySet());
            names.addAll(r.planets().keySet());
            for (String p : names) {
                FinalReplica.PlanetView a = first.planets().get(p);
                FinalReplica.PlanetView b = r.planets().get(p);
                if (a == null || b == null || !VectorClock.of(a.clock()).equals(VectorClock.of(b.clock()))) {
                    clocksEqual = false;
                    findings.note("planet " + p + ": clock at " + first.id() + " " + (a == null ? "-" : a.clock())
                            + ", at " + r.id() + " " + (b == null ? "-" : b.clock()));
                }
            }
        }
        return new Convergence(dumpsIdentical, clocksEqual);
    }
}
