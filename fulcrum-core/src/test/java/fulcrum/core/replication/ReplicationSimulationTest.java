package fulcrum.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.replication.ReplicationSimulation.Config;
import fulcrum.core.replication.ReplicationSimulation.Outcome;
import fulcrum.core.replication.ReplicationSimulation.Result;
import java.util.EnumMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic replication simulation over many seeds. A failure names its seed; add it
 * to {@link #REGRESSION_SEEDS} once fixed. {@code -Dfulcrum.sim.schedules=N} and
 * {@code -Dfulcrum.sim.baseSeed=S} explore more or other schedules.
 */
class ReplicationSimulationTest {

    /** Seeds that once failed (or cover a rare path); replayed on every build. */
    static final long[] REGRESSION_SEEDS = {0L, 1L, 42L};

    @Test
    void manySchedulesConvergeAndExplainEveryAcknowledgedWrite() {
        int schedules = Integer.getInteger("fulcrum.sim.schedules", 3000);
        long base = Long.getLong("fulcrum.sim.baseSeed", 0x5EED_F00DL);
        EnumMap<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
        long writes = 0;
        long conflicts = 0;
        java.util.TreeMap<String, Long> events = new java.util.TreeMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < schedules; i++) {
            Result r = ReplicationSimulation.run(base + i, Config.standard());
            writes += r.acknowledgedWrites();
            conflicts += r.conflictsCounted();
            r.events().forEach((k, v) -> events.merge(k, v, Long::sum));
            r.outcomes().forEach((k, v) -> outcomes.merge(k, (long) v, Long::sum));
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("replication simulation: %d schedules, %d acknowledged writes, %d conflicts counted, "
                + "outcomes %s, events %s, %d ms%n", schedules, writes, conflicts, outcomes, events, millis);
        for (String e : new String[] {"crash", "crash before persisting a write", "crash before persisting a merge",
                "message dropped", "message duplicated", "ops buffered", "ops dropped by full buffer", "ops duplicate",
                "resend requests after merge", "resend requests after announcement"}) {
            assertThat(events.getOrDefault(e, 0L)).as("schedules with event " + e).isPositive();
        }
        // the schedules must actually exercise the conflict rules, or the test proves little
        for (Outcome o : Outcome.values()) {
            assertThat(outcomes.getOrDefault(o, 0L)).as("schedules producing outcome " + o).isPositive();
        }
        assertThat(conflicts).isPositive();
    }

    @Test
    void regressionSeeds() {
        for (long seed : REGRESSION_SEEDS) {
            ReplicationSimulation.run(seed, Config.standard());
        }
    }

    @Test
    void longerSchedulesWithATinyBufferAndFiveReplicas() {
        for (long seed = 0; seed < 100; seed++) {
            ReplicationSimulation.run(seed, new Config(5, 400, 2, 2, 3));
        }
    }

    @Property(tries = 200)
    void anySeedConverges(@ForAll long seed) {
        Map<Outcome, Integer> outcomes = ReplicationSimulation.run(seed, Config.standard()).outcomes();
        assertThat(outcomes).isNotNull();
    }
}
