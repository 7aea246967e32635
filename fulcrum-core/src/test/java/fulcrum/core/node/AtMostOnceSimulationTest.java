package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.router.RouterVariants;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exactly once per command id over the whole path ({@link PathSimulation}): two copies of the
 * production router, three production replicas, sessions and adversaries whose writes carry
 * arbitrary envelopes (so that replicas refuse them and they walk their order), lost answers,
 * re-sends of the same message, router crashes at every step, replica crashes, lost disks. After
 * every commit, no command id may be applied at two replicas or twice at one ({@link SimTruth});
 * at the end, every command has its answer. Each of the two rules of "Exactly once" (README), and
 * the replication of refusals, is switched off in a variant that must be caught.
 *
 * <p>A failure names its seed; {@code -Dfulcrum.sim.schedules=N} and {@code -Dfulcrum.sim.baseSeed=S}
 * explore more or others, {@code -Dfulcrum.sim.trace=true} prints the last events of a failing one.
 * A seed that finds a bug in production code stays here as a regression seed, with what it found.
 */
class AtMostOnceSimulationTest {
    static final long BASE_SEED = Long.getLong("fulcrum.sim.baseSeed", 0xA7_305EL);
    static final int SCHEDULES = Integer.getInteger("fulcrum.sim.schedules", 2000);
    /** How many schedules a variant may take to be caught. */
    static final int VARIANT_BUDGET = 2000;

    @Test
    void everyCommandIsAppliedAtMostOnceAndAnswered() {
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "at most once, eager", SCHEDULES,
                PathSimulation.Config.forAtMostOnce());
        assertThat(totals.tally("converged")).isEqualTo(SCHEDULES);
        assertThat(totals.violations).isEmpty();
        for (String event : List.of("replica refused a write STALE",
                "write refused for good (STALE at every replica asked)", "writes acknowledged",
                "client re-send after a timeout", "client re-send after UNAVAILABLE", "answer lost on its way to the client",
                "router crash (between rounds)", "router crash after forwarding, before acking",
                "router publish unconfirmed", "disk wiped", "disk wiped after a refusal", "write moved on to another replica",
                "UNAVAILABLE from the router", "replica merge consumer stalls", "write joined a batch",
                "batch of several commands delivered")) {
            assertThat(totals.tally(event)).as("schedules with " + event).isPositive();
        }
    }

    @Test
    void inIntervalModeWithoutLostDisks() {
        PathSimulation.Config interval = PathSimulation.Config.forAtMostOnce().withMode(NodeConfig.Replication.INTERVAL)
                .withWipes(0, 0, 0);
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "at most once, interval", SCHEDULES / 4,
                interval);
        assertThat(totals.tally("converged")).isEqualTo(SCHEDULES / 4);
    }

    /** Each replica's loop pipelined as the worker's: later Readys committed before earlier ones are confirmed. */
    @Test
    void withPipelinedReplicaLoops() {
        int schedules = SCHEDULES / 4;
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "at most once, pipelined replicas", schedules,
                PathSimulation.Config.forAtMostOnce().withPipelineDepth(3));
        assertThat(totals.tally("converged")).isEqualTo(schedules);
        assertThat(totals.violations).isEmpty();
        for (String event : List.of("pipelined Ready delivered", "pipelined Ready handed back",
                "pipelined Ready handed back after an earlier one failed", "publish unconfirmed",
                "writes acknowledged", "disk wiped")) {
            assertThat(totals.tally(event)).as("schedules with " + event).isPositive();
        }
    }

    @Test
    void withFiveReplicasLongerSchedulesAndAFullInFlightTable() {
        int schedules = SCHEDULES / 20;
        PathSimulation.Config wide = PathSimulation.Config.forAtMostOnce().withReplicas(5).withEvents(500)
                .withRouterMaxInFlight(3);
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "at most once, five replicas, small table",
                schedules, wide);
        assertThat(totals.tally("converged")).isEqualTo(schedules);
        assertThat(totals.tally("write moved on to another replica")).isPositive();
    }

    /** (a) One order per message, removed: each attempt follows what its router knows when it arrives. */
    @Test
    void aWriteOrderThatFollowsKnowledgeAppliesACommandTwice() {
        assertCaught(PathSimulation.Config.forAtMostOnce().withWriteOrder(RouterVariants.WriteOrder.FOLLOWS_KNOWLEDGE),
                "applied twice");
    }

    /** (b) A refusal is an outcome, removed: a replica that refused a write applies a later attempt. */
    @Test
    void unrecordedRefusalsApplyACommandTwice() {
        assertCaught(PathSimulation.Config.forAtMostOnce().withRules(NodeRules.ALL.withoutRecordedRefusals()),
                "applied twice");
    }

    /**
     * (c) Refusals recorded on the refusing replica's disk only: once that disk is lost, the replica no
     * longer knows it refused, and a later attempt is applied there too. The schedules lose disks right
     * after refusals; with the rule, the same schedules apply nothing twice, and without lost disks
     * neither does the variant.
     */
    @Test
    void refusalsThatAreNotReplicatedAreLostWithTheDiskAndACommandIsAppliedTwice() {
        PathSimulation.Config lossy = PathSimulation.Config.forAtMostOnce().withWipes(4, 0, 50);
        NodeRules unreplicated = NodeRules.ALL.withoutReplicatedRefusals();
        PathRuns.runMany(BASE_SEED, "at most once, disks lost after refusals", SCHEDULES / 4, lossy);
        PathRuns.runMany(BASE_SEED, "at most once, refusals not replicated, no disk lost", SCHEDULES / 4,
                lossy.withRules(unreplicated).withWipes(0, 0, 0));
        assertCaught(lossy.withRules(unreplicated), "applied twice");
    }

    /**
     * In interval mode a write is answered once it is on its replica's disk, and a lost disk loses what
     * was not yet published; but a refusal is published before its STALE answer leaves, in every mode.
     * Seed 672 of these schedules once applied a command twice: r1 refused it, answered STALE with the
     * refusal only on its disk, lost that disk, and applied a later attempt while r3 (further down the
     * command's order) had applied it too. Since the fix, lost writes remain possible in this mode
     * ("is missing at"), a second application never.
     */
    @Test
    void inIntervalModeARefusalIsPublishedBeforeItsAnswerSoALostDiskNeverAppliesACommandTwice() {
        PathSimulation.Config interval = PathSimulation.Config.forAtMostOnce().withMode(NodeConfig.Replication.INTERVAL)
                .withWipes(4, 0, 50);
        int losses = 0;
        for (long seed : new long[] {672}) {
            losses += runExpectingOnlyLosses(seed, interval);
        }
        for (int i = 0; i < VARIANT_BUDGET; i++) {
            losses += runExpectingOnlyLosses(BASE_SEED + i, interval);
        }
        System.out.printf("interval mode with lost disks: %d schedules lost unpublished writes, none applied a command twice%n",
                losses);
    }

    private static int runExpectingOnlyLosses(long seed, PathSimulation.Config config) {
        try {
            PathSimulation.run(seed, config);
            return 0;
        } catch (AssertionError e) {
            assertThat(e.getMessage()).as("only the documented loss of the interval mode").contains("is missing at")
                    .doesNotContain("applied twice");
            return 1;
        }
    }

    /** The variant must fail some schedule, for the stated reason. */
    private static void assertCaught(PathSimulation.Config variant, String reason) {
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        int i = 0;
        for (; i < VARIANT_BUDGET && failures.isEmpty(); i++) {
            try {
                PathSimulation.run(BASE_SEED + i, variant);
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        assertThat(failures).as("a schedule that applies a command twice without the rule").isNotEmpty();
        System.out.printf("caught after %d schedules (%d ms): %s%n", i, (System.nanoTime() - started) / 1_000_000,
                failures.get(0).lines().findFirst().orElse(""));
        assertThat(failures.get(0)).contains(reason);
    }
}
