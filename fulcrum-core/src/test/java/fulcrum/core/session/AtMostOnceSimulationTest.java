package fulcrum.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AtMostOnceSimulationTest {
    private static final int SCHEDULES = 3000;

    @Test
    void fixedOrderAndRecordedRefusalsApplyEveryCommandAtMostOnce() {
        Map<String, Long> totals = new TreeMap<>();
        for (long seed = 1; seed <= SCHEDULES; seed++) {
            AtMostOnceSimulation.run(seed, AtMostOnceSimulation.Config.enforced()).tallies()
                    .forEach((k, v) -> totals.merge(k, v, Long::sum));
        }
        System.out.println("at-most-once simulation, " + SCHEDULES + " schedules: " + totals);
        // the schedules exercised what the rules are about
        assertThat(totals.get("re-sends")).isGreaterThan(10_000);
        assertThat(totals.get("refused STALE")).isGreaterThan(10_000);
        assertThat(totals.get("offered to the next replica")).isGreaterThan(1_000);
        assertThat(totals.get("answered from the dedup record")).isGreaterThan(10_000);
        assertThat(totals.get("router crashes")).isGreaterThan(1_000);
        assertThat(totals.get("executed")).isGreaterThan(10_000);
    }

    @Test
    void withoutRecordingRefusalsACommandIsAppliedTwice() {
        assertThat(firstFailingSeed(new AtMostOnceSimulation.Config(3, 300, false, true)))
                .as("a seed where a replica that refused a command applies it after catching up").isPositive();
    }

    @Test
    void withAnOrderThatChangesBetweenAttemptsACommandIsAppliedTwice() {
        assertThat(firstFailingSeed(new AtMostOnceSimulation.Config(3, 300, true, false)))
                .as("a seed where two attempts of one command reach two replicas that both dominate").isPositive();
    }

    private static long firstFailingSeed(AtMostOnceSimulation.Config config) {
        for (long seed = 1; seed <= SCHEDULES; seed++) {
            try {
                AtMostOnceSimulation.run(seed, config);
            } catch (AssertionError e) {
                assertThat(e).hasMessageContaining("executed 2 times");
                return seed;
            }
        }
        return -1;
    }
}
