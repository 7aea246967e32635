package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.session.SessionChecker;
import fulcrum.core.session.SessionChecker.Guarantee;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sessions over the whole path ({@link PathSimulation}): clients with a session, two copies of the
 * production router, three production replicas, and every fault. The four session guarantees are
 * checked by {@link SessionChecker} over every answer a session accepted (plus every write a replica
 * applied whose answer the session refused: it happened all the same).
 *
 * <p>A failure names its seed; {@code -Dfulcrum.sim.schedules=N} and {@code -Dfulcrum.sim.baseSeed=S}
 * explore more or others, {@code -Dfulcrum.sim.trace=true} prints the last events of a failing one.
 * A seed that finds a bug in production code stays here as a regression seed, with what it found.
 */
class SessionSimulationTest {
    static final long BASE_SEED = Long.getLong("fulcrum.sim.baseSeed", 0x5E55_10A5L);
    static final int SCHEDULES = Integer.getInteger("fulcrum.sim.schedules", 2000);

    @Test
    void sessionsKeepTheirGuaranteesThroughEveryFaultAndEveryCommandIsAnswered() {
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "sessions, eager", SCHEDULES,
                PathSimulation.Config.forSessions(), SessionSimulationTest::assertKept);
        assertThat(totals.tally("converged")).isEqualTo(SCHEDULES);
        for (String event : List.of("session write accepted", "session read accepted", "session refusal accepted",
                "client re-send after a timeout", "client re-send after UNAVAILABLE", "answer lost on its way to the client",
                "router crash (between rounds)", "router crash before publishing", "router crash after forwarding, before acking",
                "router channel recovery", "router publish unconfirmed", "replica answer to a router gone",
                "replica crash (between rounds)", "crash after commit", "crash after replies", "disk wiped",
                "replica refused a query STALE", "sent SnapshotChunk", "query moved on to another replica",
                "session file without its replicas", "replica merge consumer stalls")) {
            assertThat(totals.tally(event)).as("schedules with " + event).isPositive();
        }
    }

    @Test
    void inIntervalModeWithoutLostDisksAndWithOneRouter() {
        PathSimulation.Config interval = PathSimulation.Config.forSessions().withMode(NodeConfig.Replication.INTERVAL)
                .withWipes(0, 0, 0).withRouters(1);
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "sessions, interval, one router", SCHEDULES / 4, interval,
                SessionSimulationTest::assertKept);
        assertThat(totals.tally("converged")).isEqualTo(SCHEDULES / 4);
        assertThat(totals.tally("replica refused a query STALE")).isPositive();
    }

    /** Each replica's loop pipelined as the worker's: later Readys committed before earlier ones are confirmed. */
    @Test
    void withPipelinedReplicaLoops() {
        int schedules = SCHEDULES / 4;
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "sessions, pipelined replicas", schedules,
                PathSimulation.Config.forSessions().withPipelineDepth(3), SessionSimulationTest::assertKept);
        assertThat(totals.tally("converged")).isEqualTo(schedules);
        assertThat(totals.tally("pipelined Ready delivered")).isPositive();
        assertThat(totals.tally("pipelined Ready handed back")).isPositive();
    }

    @Test
    void withFiveReplicasAndLongerSchedules() {
        int schedules = SCHEDULES / 10;
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "sessions, five replicas", schedules,
                PathSimulation.Config.forSessions().withReplicas(5).withEvents(500), SessionSimulationTest::assertKept);
        assertThat(totals.tally("converged")).isEqualTo(schedules);
    }

    /**
     * (d) Without the replica's check, a replica behind the session serves it. The client's check still
     * refuses every older answer, so what it accepted is consistent; but a write it refused was applied
     * all the same, on a state without the session's earlier writes: monotonic writes or
     * writes-follow-reads is broken, and later reads may miss that write.
     */
    @Test
    void withoutTheReplicasCheckAWriteIsAppliedOnAStateOlderThanTheSession() {
        PathSimulation.Config variant = PathSimulation.Config.forSessions().withForgetPercent(20)
                .withRules(NodeRules.ALL.withoutSessionCheck());
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "sessions without the replica's check", SCHEDULES / 4,
                variant, SessionSimulationTest::assertTheClientRefusedExactlyTheOlderAnswers);
        assertThat(totals.refusedWrites).as("writes applied on an older state, whose answer the client refused").isPositive();
        assertThat(totals.violations).containsKey(Guarantee.MONOTONIC_WRITES);
    }

    /** The same schedules as the variant above, with the replica's check: nothing to refuse, nothing broken. */
    @Test
    void sessionFilesWithoutTheirReplicasAreServedOnlyByReplicasThatHoldTheirClock() {
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "sessions with files that lose their replicas", SCHEDULES / 4,
                PathSimulation.Config.forSessions().withForgetPercent(20), SessionSimulationTest::assertKept);
        assertThat(totals.tally("replica refused a write STALE")).isPositive();
    }

    /** (e) With neither check, a session accepts answers from its past: the checker finds it. */
    @Test
    void withoutEitherCheckASessionAcceptsAnAnswerFromItsPast() {
        PathSimulation.Config variant = PathSimulation.Config.forSessions()
                .withRules(NodeRules.ALL.withoutSessionCheck()).withClientCheck(false);
        PathRuns.Totals totals = PathRuns.runMany(BASE_SEED, "sessions without any check", SCHEDULES / 4, variant);
        assertThat(totals.acceptedViolations).as("violations between two answers the session accepted").isPositive();
        assertThat(totals.violations).containsKeys(Guarantee.MONOTONIC_READS, Guarantee.READ_YOUR_WRITES);
    }

    /**
     * The client's check refused exactly the answers older than its session: each violation is at an
     * answer it refused, or against a write it refused (applied all the same), and each answer it
     * refused is a violation.
     */
    private static void assertTheClientRefusedExactlyTheOlderAnswers(PathSimulation.Result r) {
        for (SessionChecker.Violation v : r.violations()) {
            assertThat(r.refusedByClient().contains(v.index()) || r.refusedByClient().contains(v.earlier()))
                    .as("seed " + r.seed() + ": the client accepted an answer older than its session: " + v).isTrue();
        }
        for (int refused : r.refusedByClient()) {
            assertThat(r.violations()).as("seed " + r.seed() + ": the client refused #" + refused + " for no reason")
                    .anyMatch(v -> v.index() == refused);
        }
    }

    /** Both checks on: no violation, and the client never has to refuse an answer. */
    private static void assertKept(PathSimulation.Result r) {
        assertThat(r.violations()).as("seed " + r.seed() + ": session guarantees").isEmpty();
        assertThat(r.refusedByClient()).as("seed " + r.seed() + ": answers the client refused").isEmpty();
        assertThat(r.tally("answer refused by the client's check")).as("seed " + r.seed()).isZero();
    }
}
