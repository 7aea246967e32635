package fulcrum.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.chaos.check.FinalReplica.CommandRecord;
import fulcrum.chaos.check.FinalReplica.RecordKind;
import fulcrum.chaos.history.HistoryEvent;
import fulcrum.chaos.history.HistoryEvent.Type;
import fulcrum.chaos.history.HistoryRecorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made histories, command records and final states: ones that must pass, and for every
 * violation the checker claims to find, one that has it and must fail for that reason.
 */
class CheckerTest {
    private static final String P = "Chaos_1";
    private static final String ME = "informant-1";

    private final HistoryRecorder rec = HistoryRecorder.inMemory();
    /** The command records every replica holds (unless a test builds replicas itself). */
    private final List<CommandRecord> records = new ArrayList<>();

    // ---- history and records -------------------------------------------------------------------

    private void invoke(String id, String kind, String city, String newName, Long value) {
        rec.record(new HistoryEvent(0, 0, ME, Type.INVOKE, id, 1, kind, P, city, newName, value, null, null, null,
                null, false));
    }

    private void answer(String id, Type type, String kind, String city, String newName, Long value, String replica,
                        Map<String, Long> clock, String error) {
        rec.record(new HistoryEvent(0, 0, ME, type, id, 1, kind, P, city, newName, value, replica, clock, null, error,
                false));
    }

    /** An acknowledged write, applied once at {@code origin} as operation {@code seq} with {@code clock}. */
    private void ok(String id, String kind, String city, String newName, Long value, String origin, long seq,
                    Map<String, Long> clock) {
        invoke(id, kind, city, newName, value);
        answer(id, Type.OK, kind, city, newName, value, origin, clock, null);
        applied(id, kind, origin, seq, clock);
    }

    /** A write that got no answer at all (nothing says whether it was applied). */
    private void unknown(String id, String kind, String city, String newName, Long value) {
        invoke(id, kind, city, newName, value);
        answer(id, Type.UNKNOWN, kind, city, newName, value, null, null, "no reply");
    }

    /** A write with a definite error answer. */
    private void failed(String id, String kind, String city, Long value, String error, Map<String, Long> clock) {
        invoke(id, kind, city, null, value);
        answer(id, Type.FAIL, kind, city, null, value, "fulcrum-1", clock, error);
    }

    private void applied(String id, String kind, String origin, long seq, Map<String, Long> clock) {
        records.add(new CommandRecord(id, origin, seq, P, RecordKind.valueOf(kind), clock));
    }

    private void read(String session, String id, String city, Long rebels, String error, Map<String, Long> clock) {
        rec.record(new HistoryEvent(0, 0, session, Type.INVOKE, id, 1, "GetNumberRebelds", P, city, null, null, null,
                null, null, null, false));
        rec.record(new HistoryEvent(0, 0, session, error == null ? Type.OK : Type.FAIL, id, 1, "GetNumberRebelds", P,
                city, null, null, "fulcrum-2", clock, rebels, error, false));
    }

    private void read(String session, String id, String city, long rebels, Map<String, Long> clock) {
        read(session, id, city, rebels, null, clock);
    }

    private void notFound(String session, String id, String city, Map<String, Long> clock) {
        read(session, id, city, null, "CITY_NOT_FOUND", clock);
    }

    private static Map<String, Long> clock(long a, long b, long c) {
        return Map.of("fulcrum-1", a, "fulcrum-2", b, "fulcrum-3", c);
    }

    // ---- final states --------------------------------------------------------------------------

    private static FinalReplica replica(String id, Map<String, Long> clock, Map<String, Long> cities,
                                        List<CommandRecord> held) {
        return new FinalReplica(id, "dump " + clock + new java.util.TreeMap<>(cities),
                Map.of(P, new FinalReplica.PlanetView(clock, cities)), held);
    }

    private List<FinalReplica> everywhere(Map<String, Long> clock, Map<String, Long> cities) {
        List<FinalReplica> out = new ArrayList<>();
        for (String id : List.of("fulcrum-1", "fulcrum-2", "fulcrum-3")) {
            out.add(replica(id, clock, cities, records));
        }
        return out;
    }

    private CheckReport check(List<FinalReplica> replicas) {
        return Checker.check(rec.events(), replicas, FuzzLedger.none(), List.of());
    }

    private CheckReport check(Map<String, Long> clock, Map<String, Long> cities) {
        return check(everywhere(clock, cities));
    }

    /** c1 added (10) and set to 11 at fulcrum-1; read back by its informant and, older, by a Leia. */
    private void baseHistory() {
        ok("a", "AddCity", "c1", null, 10L, "fulcrum-1", 1, clock(1, 0, 0));
        ok("b", "UpdateNumber", "c1", null, 11L, "fulcrum-1", 2, clock(2, 0, 0));
        read(ME, "r1", "c1", 11, clock(2, 0, 0));
        read("leia-1", "r2", "c1", 10, clock(1, 0, 0));
    }

    private static void onlyFailsFor(CheckReport r, String category) {
        assertThat(r.ok()).as(r.problems().toString()).isFalse();
        assertThat(r.problems()).as("every finding is of category '" + category + "'")
                .isNotEmpty().allMatch(p -> p.startsWith(category + ":"));
    }

    /** Fails, only for {@code category}, and one of its findings says {@code text}. */
    private static void failsFor(CheckReport r, String category, String text) {
        onlyFailsFor(r, category);
        assertThat(r.problems()).anyMatch(p -> p.contains(text));
    }

    // ---- passing histories ---------------------------------------------------------------------

    @Test
    void aCleanHistoryPasses() {
        baseHistory();
        CheckReport r = check(clock(2, 0, 0), Map.of("c1", 11L));
        assertThat(r.problems()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.acknowledged()).isEqualTo(2);
        assertThat(r.reads()).isEqualTo(2);
    }

    @Test
    void renamesDeletesAndUnknownWritesAppliedLatePass() {
        baseHistory();
        ok("c", "AddCity", "c2", null, 20L, "fulcrum-2", 1, clock(2, 1, 0));
        ok("d", "UpdateName", "c1", "c3", null, "fulcrum-1", 3, clock(3, 1, 0));
        unknown("e", "UpdateNumber", "c3", null, 12L); // never applied
        unknown("f", "UpdateNumber", "c2", null, 21L); // applied late, after h: it wins
        ok("h", "UpdateNumber", "c2", null, 22L, "fulcrum-1", 4, clock(4, 1, 0));
        applied("f", "UpdateNumber", "fulcrum-2", 2, clock(4, 2, 0));
        ok("j", "AddCity", "c5", null, 50L, "fulcrum-1", 5, clock(5, 2, 0));
        ok("k", "DeleteCity", "c5", null, null, "fulcrum-1", 6, clock(6, 2, 0));
        read("leia-2", "r3", "c2", 20, clock(3, 1, 0));
        read("leia-2", "r4", "c2", 22, clock(4, 1, 0));
        read("leia-2", "r5", "c2", 21, clock(4, 2, 0));
        notFound("leia-2", "r6", "c1", clock(4, 2, 0)); // renamed away
        read("leia-2", "r7", "c3", 11, clock(5, 2, 0));
        read("leia-2", "r8", "c5", 50, clock(5, 2, 0));
        notFound("leia-2", "r9", "c5", clock(6, 2, 0)); // deleted
        notFound("leia-3", "r10", "c2", clock(2, 0, 0)); // not created yet

        CheckReport r = check(clock(6, 2, 0), Map.of("c3", 11L, "c2", 21L));

        assertThat(r.problems()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.acknowledged()).isEqualTo(7);
        assertThat(r.unknown()).isEqualTo(2);
        assertThat(r.unknownApplied()).isEqualTo(1);
        assertThat(r.reads()).isEqualTo(2 + 5);
    }

    @Test
    void anUnknownWriteMayOrMayNotBeApplied() {
        baseHistory();
        unknown("c", "UpdateNumber", "c1", null, 12L);
        assertThat(check(clock(2, 0, 0), Map.of("c1", 11L)).ok()).isTrue();
        applied("c", "UpdateNumber", "fulcrum-1", 3, clock(3, 0, 0));
        CheckReport applied = check(clock(3, 0, 0), Map.of("c1", 12L));
        assertThat(applied.problems()).isEmpty();
        assertThat(applied.unknownApplied()).isEqualTo(1);
    }

    @Test
    void outcomesFollowTheLastDefiniteAnswer() {
        // no answer, then CITY_NOT_FOUND: the replica's one outcome for that id is the error
        invoke("x", "UpdateNumber", "nowhere", null, 5L);
        answer("x", Type.UNKNOWN, "UpdateNumber", "nowhere", null, 5L, null, null, "no reply");
        answer("x", Type.FAIL, "UpdateNumber", "nowhere", null, 5L, "fulcrum-1", clock(0, 0, 0), "CITY_NOT_FOUND");
        // STALE at every attempt: refused for good
        invoke("y", "AddCity", "c9", null, 9L);
        answer("y", Type.FAIL, "AddCity", "c9", null, 9L, "fulcrum-1", clock(0, 0, 0), "STALE");
        answer("y", Type.FAIL, "AddCity", "c9", null, 9L, "fulcrum-2", clock(0, 0, 0), "STALE");
        // STALE, then no answer: may have been applied
        invoke("z", "AddCity", "c8", null, 8L);
        answer("z", Type.FAIL, "AddCity", "c8", null, 8L, "fulcrum-1", clock(0, 0, 0), "STALE");
        answer("z", Type.UNKNOWN, "AddCity", "c8", null, 8L, null, null, "no reply");
        CheckReport r = check(List.of());
        assertThat(r.failed()).isEqualTo(2);
        assertThat(r.unknown()).isEqualTo(1);
    }

    // ---- applications per command --------------------------------------------------------------

    @Test
    void aDoubleApplyHiddenByCompactionIsFoundInTheRecords() {
        baseHistory();
        applied("b", "UpdateNumber", "fulcrum-1", 3, clock(3, 0, 0)); // b once more, its op long compacted
        CheckReport r = check(clock(3, 0, 0), Map.of("c1", 11L));
        onlyFailsFor(r, "doubled");
        assertThat(r.doubled()).isEqualTo(1);
        assertThat(r.multiOrigin()).isZero();
        assertThat(r.problems()).anyMatch(p -> p.contains("applied 2 times"));
    }

    @Test
    void anUnknownWriteExplainsAtMostOneApplication() {
        baseHistory();
        unknown("c", "UpdateNumber", "c1", null, 12L);
        applied("c", "UpdateNumber", "fulcrum-1", 3, clock(3, 0, 0));
        applied("c", "UpdateNumber", "fulcrum-2", 1, clock(3, 1, 0));
        CheckReport r = check(clock(3, 1, 0), Map.of("c1", 12L));
        assertThat(r.doubled()).isEqualTo(1);
        assertThat(r.multiOrigin()).isEqualTo(1);
        assertThat(r.lost() + r.unexpected() + r.readViolations() + r.sessionViolations()).isZero();
        assertThat(r.problems()).anyMatch(p -> p.contains("an unknown-outcome write may explain at most one application"));
    }

    @Test
    void recordsOfOneApplicationThatDisagreeAreDoubled() {
        baseHistory();
        List<CommandRecord> other = new ArrayList<>(records);
        other.set(1, new CommandRecord("b", "fulcrum-1", 2, P, RecordKind.UpdateNumber, clock(2, 1, 0)));
        List<FinalReplica> replicas = new ArrayList<>(everywhere(clock(2, 0, 0), Map.of("c1", 11L)));
        replicas.set(2, replica("fulcrum-3", clock(2, 0, 0), Map.of("c1", 11L), other));
        CheckReport r = check(replicas);
        failsFor(r, "doubled", "disagree");
    }

    @Test
    void anEntryIdThatNamesTwoCommandsIsDoubled() {
        baseHistory();
        ok("c", "AddCity", "c2", null, 20L, "fulcrum-2", 1, clock(2, 1, 0));
        // fulcrum-3 holds fulcrum-1#2 as another command than b: an id reused (say by a replica that
        // lost its disk and numbered its stream from 1 again)
        List<CommandRecord> other = new ArrayList<>(records);
        other.set(1, new CommandRecord("c", "fulcrum-1", 2, P, RecordKind.AddCity, clock(2, 1, 0)));
        List<FinalReplica> replicas = new ArrayList<>(everywhere(clock(2, 1, 0), Map.of("c1", 11L, "c2", 20L)));
        replicas.set(2, replica("fulcrum-3", clock(2, 1, 0), Map.of("c1", 11L, "c2", 20L), other));
        CheckReport r = check(replicas);
        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.startsWith("doubled: entry id fulcrum-1#2 names two commands: fulcrum-1 holds b"));
    }

    @Test
    void anAcknowledgedWriteWithoutApplicationIsLost() {
        baseHistory();
        records.remove(1); // b acknowledged, never applied anywhere; the clock does not count it
        CheckReport r = check(clock(1, 0, 0), Map.of("c1", 10L));
        assertThat(r.lost()).isGreaterThanOrEqualTo(1);
        assertThat(r.problems()).anyMatch(p -> p.startsWith("lost:") && p.contains("has no application"));
    }

    @Test
    void aFailedWriteThatTookEffectIsUnexpected() {
        baseHistory();
        failed("d", "AddCity", "c2", 13L, "CITY_ALREADY_EXISTS", clock(2, 0, 0));
        applied("d", "AddCity", "fulcrum-1", 3, clock(3, 0, 0));
        CheckReport r = check(clock(3, 0, 0), Map.of("c1", 11L, "c2", 13L));
        failsFor(r, "unexpected", "took effect");
    }

    @Test
    void aRecordOfACommandNobodySentOrOfAnotherCommandIsUnexpected() {
        baseHistory();
        records.add(new CommandRecord("forged", "fulcrum-2", 1, P, RecordKind.DeleteCity, clock(2, 1, 0)));
        CheckReport forged = check(clock(2, 1, 0), Map.of("c1", 11L));
        failsFor(forged, "unexpected", "nobody sent it");

        records.remove(records.size() - 1);
        records.add(new CommandRecord("r1", "fulcrum-2", 1, P, RecordKind.UpdateNumber, clock(2, 1, 0)));
        CheckReport aRead = check(clock(2, 1, 0), Map.of("c1", 11L));
        onlyFailsFor(aRead, "unexpected");
        assertThat(aRead.problems()).anyMatch(p -> p.contains("the record of") && p.contains("GetNumberRebelds"));
    }

    @Test
    void aWriteAppliedBeforeTheSessionsEarlierAcknowledgedWriteBreaksMonotonicWrites() {
        ok("a", "AddCity", "c1", null, 10L, "fulcrum-1", 1, clock(1, 0, 0));
        unknown("c", "UpdateNumber", "c1", null, 12L);
        applied("c", "UpdateNumber", "fulcrum-2", 1, clock(0, 1, 0)); // on a state without a
        CheckReport r = check(clock(1, 1, 0), Map.of("c1", 12L));
        failsFor(r, "session", "MONOTONIC_WRITES");
        assertThat(r.sessionViolations()).isEqualTo(1);
    }

    // ---- final state ---------------------------------------------------------------------------

    @Test
    void aLostAcknowledgedWriteIsNotMaskedByAnOlderUnknownOne() {
        ok("a", "AddCity", "c1", null, 10L, "fulcrum-1", 1, clock(1, 0, 0));
        unknown("c", "UpdateNumber", "c1", null, 12L);
        applied("c", "UpdateNumber", "fulcrum-1", 2, clock(2, 0, 0)); // applied before b
        ok("b", "UpdateNumber", "c1", null, 11L, "fulcrum-1", 3, clock(3, 0, 0));
        CheckReport r = check(clock(3, 0, 0), Map.of("c1", 12L));
        onlyFailsFor(r, "lost");
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.problems()).anyMatch(p -> p.contains("c1 = 12") && p.contains("(b, acknowledged)"));
    }

    @Test
    void aLostRenameIsLost() {
        ok("a", "AddCity", "c1", null, 10L, "fulcrum-1", 1, clock(1, 0, 0));
        ok("d", "UpdateName", "c1", "c2", null, "fulcrum-1", 2, clock(2, 0, 0));
        CheckReport r = check(clock(2, 0, 0), Map.of("c1", 10L));
        onlyFailsFor(r, "lost");
        assertThat(r.lost()).isEqualTo(1); // c2 missing and c1 still there: one write's effect
    }

    @Test
    void aLostDeleteIsLost() {
        ok("a", "AddCity", "c1", null, 10L, "fulcrum-1", 1, clock(1, 0, 0));
        invoke("k", "DeleteCity", "c1", null, null);
        answer("k", Type.OK, "DeleteCity", "c1", null, null, "fulcrum-1", clock(2, 0, 0), null);
        CheckReport r = check(clock(1, 0, 0), Map.of("c1", 10L)); // no record, not in the clock, not done
        onlyFailsFor(r, "lost");
        assertThat(r.lost()).isEqualTo(1);
    }

    @Test
    void aCityResurrectedAfterAnAcknowledgedDeleteIsLost() {
        ok("a", "AddCity", "c1", null, 10L, "fulcrum-1", 1, clock(1, 0, 0));
        ok("k", "DeleteCity", "c1", null, null, "fulcrum-1", 2, clock(2, 0, 0));
        CheckReport r = check(clock(2, 0, 0), Map.of("c1", 10L));
        failsFor(r, "lost", "took that name away");
    }

    @Test
    void anAcknowledgedCityMissingIsLost() {
        baseHistory();
        CheckReport r = check(clock(2, 0, 0), Map.of());
        onlyFailsFor(r, "lost");
        assertThat(r.lost()).isEqualTo(1);
    }

    @Test
    void aCountOrCityNoWriteProducedIsUnexpected() {
        baseHistory();
        CheckReport r = check(clock(2, 0, 0), Map.of("c1", 99L, "ghost", 1L));
        assertThat(r.unexpected()).isEqualTo(2); // the count 99, the city ghost
        assertThat(r.lost()).isEqualTo(1); // and b's 11 is gone
        assertThat(r.ok()).isFalse();
    }

    @Test
    void aPlanetNobodyWroteIsUnexpected() {
        baseHistory();
        List<FinalReplica> replicas = new ArrayList<>();
        for (String id : List.of("fulcrum-1", "fulcrum-2", "fulcrum-3")) {
            replicas.add(new FinalReplica(id, "same", Map.of(P, new FinalReplica.PlanetView(clock(2, 0, 0),
                    Map.of("c1", 11L)), "Fuzz", new FinalReplica.PlanetView(clock(1, 0, 0), Map.of("x", 1L))), records));
        }
        CheckReport r = check(replicas);
        failsFor(r, "unexpected", "planet Fuzz");
    }

    @Test
    void aClockCountingFewerApplicationsIsLostAndMoreIsDoubled() {
        baseHistory();
        CheckReport fewer = check(clock(1, 0, 0), Map.of("c1", 11L));
        failsFor(fewer, "lost", "clock entry fulcrum-1 is 1");
        CheckReport more = check(clock(3, 0, 0), Map.of("c1", 11L));
        failsFor(more, "doubled", "clock entry fulcrum-1 is 3");
    }

    // ---- reads ---------------------------------------------------------------------------------

    @Test
    void anAcknowledgedCityAnsweredNotFoundWithADominatingClockIsAReadViolation() {
        baseHistory();
        notFound("leia-2", "r3", "c1", clock(0, 0, 0)); // before the AddCity: fine
        notFound("leia-3", "r4", "c1", clock(1, 0, 0)); // the AddCity is under that clock
        failed("x", "UpdateNumber", "c1", 12L, "CITY_NOT_FOUND", clock(2, 0, 0)); // a write's answer too
        CheckReport r = check(clock(2, 0, 0), Map.of("c1", 11L));
        failsFor(r, "read", "leia-3 read Chaos_1/c1 at fulcrum-2 with clock [1,0,0] (#11): CITY_NOT_FOUND, though");
        assertThat(r.problems()).anyMatch(p -> p.contains("informant-1 UpdateNumber Chaos_1/c1 at fulcrum-1"));
        assertThat(r.readViolations()).isEqualTo(2);
    }

    @Test
    void aReadOlderThanItsClockAllowsIsAReadViolation() {
        baseHistory();
        read("leia-2", "r3", "c1", 10, clock(2, 0, 0)); // b set 11 under that clock
        failsFor(check(clock(2, 0, 0), Map.of("c1", 11L)), "read", ": 10, though as of that clock it is 11");
    }

    @Test
    void aReadOfADeletedCityIsAReadViolation() {
        baseHistory();
        ok("k", "DeleteCity", "c1", null, null, "fulcrum-1", 3, clock(3, 0, 0));
        read("leia-2", "r3", "c1", 11, clock(3, 0, 0));
        CheckReport r = check(clock(3, 0, 0), Map.of());
        failsFor(r, "read", "no city has that name");
    }

    @Test
    void aReadOfACountNoWriteUnderItsClockSetIsUnexpected() {
        baseHistory();
        read("leia-2", "r3", "c1", 11, clock(1, 0, 0)); // 11 was set at [2,0,0]
        read("leia-3", "r4", "c1", 77, clock(2, 0, 0)); // nobody set 77
        CheckReport r = check(clock(2, 0, 0), Map.of("c1", 11L));
        onlyFailsFor(r, "unexpected");
        assertThat(r.unexpected()).isEqualTo(2);
    }

    // ---- session guarantees --------------------------------------------------------------------

    @Test
    void aReadOlderThanTheSessionsWriteIsAViolation() {
        baseHistory();
        read(ME, "r3", "c1", 10, clock(1, 0, 0));
        CheckReport r = check(clock(2, 0, 0), Map.of("c1", 11L));
        onlyFailsFor(r, "session");
        assertThat(r.sessionViolations()).isEqualTo(2); // read-your-writes and monotonic reads
    }

    @Test
    void leiasReadsGoingBackIsAMonotonicReadsViolation() {
        baseHistory();
        read("leia-1", "r3", "c1", 11, clock(2, 0, 0));
        read("leia-1", "r4", "c1", 10, clock(1, 0, 0));
        CheckReport r = check(clock(2, 0, 0), Map.of("c1", 11L));
        failsFor(r, "session", "MONOTONIC_READS");
        assertThat(r.sessionViolations()).isEqualTo(1);
    }

    // ---- convergence and dead letters ----------------------------------------------------------

    @Test
    void replicasThatDifferFail() {
        baseHistory();
        List<FinalReplica> replicas = new ArrayList<>(everywhere(clock(2, 0, 0), Map.of("c1", 11L)));
        replicas.set(2, replica("fulcrum-3", clock(1, 0, 0), Map.of("c1", 10L), records));
        CheckReport r = check(replicas);
        assertThat(r.dumpsIdentical()).isFalse();
        assertThat(r.clocksEqual()).isFalse();
        assertThat(r.lost()).isGreaterThanOrEqualTo(1);
        assertThat(r.ok()).isFalse();
    }

    private static DeadLetter dead(String fuzzId, String reason) {
        return new DeadLetter(fuzzId, "BAD_MESSAGE", reason, "fulcrum-worker/fulcrum-2");
    }

    @Test
    void deadLettersMustBeExactlyTheBadInputsInAnyNumberOfCopies() {
        baseHistory();
        List<FinalReplica> replicas = everywhere(clock(2, 0, 0), Map.of("c1", 11L));
        FuzzLedger fuzz = new FuzzLedger(Set.of("fuzz-1", "fuzz-2", "fuzz-3"), Set.of("fuzz-1", "fuzz-2"), Map.of());
        // each replica dead-letters its copy of a bad merge message; an unconfirmed one may be there or not
        CheckReport good = Checker.check(rec.events(), replicas, fuzz,
                List.of(dead("fuzz-1", "x"), dead("fuzz-2", "x"), dead("fuzz-2", "x"), dead("fuzz-2", "x"), dead("fuzz-3", "x")));
        assertThat(good.problems()).isEmpty();
        assertThat(good.ok()).isTrue();
        assertThat(good.deadLettersFound()).isEqualTo(2);
        CheckReport missing = Checker.check(rec.events(), replicas, fuzz, List.of(dead("fuzz-1", "x"), dead("fuzz-1", "x")));
        assertThat(missing.deadLettersMissing()).isEqualTo(1);
        assertThat(missing.problems()).containsExactly("bad input fuzz-2 was not dead-lettered");
        assertThat(missing.ok()).isFalse();
        CheckReport foreign = Checker.check(rec.events(), replicas, fuzz,
                List.of(dead("fuzz-1", "x"), dead("fuzz-2", "x"), dead(null, "entry fulcrum-1#4 differs")));
        assertThat(foreign.deadLettersForeign()).isEqualTo(1);
        assertThat(foreign.problems()).anyMatch(p -> p.contains("no bad input sent on purpose") && p.contains("fulcrum-1#4 differs"));
        assertThat(foreign.ok()).isFalse();
    }

    @Test
    void aBadInputDeadLetteredForAnotherReasonThanItWasMadeForFails() {
        baseHistory();
        List<FinalReplica> replicas = everywhere(clock(2, 0, 0), Map.of("c1", 11L));
        FuzzLedger fuzz = new FuzzLedger(Set.of("fuzz-1"), Set.of("fuzz-1"), Map.of("fuzz-1", "^BAD_MESSAGE negative count"));
        CheckReport right = Checker.check(rec.events(), replicas, fuzz, List.of(dead("fuzz-1", "negative count -1")));
        assertThat(right.ok()).as(right.problems().toString()).isTrue();
        // one replica refused it for its incarnation, not for its count: the case did not test what it says
        CheckReport wrong = Checker.check(rec.events(), replicas, fuzz, List.of(dead("fuzz-1", "negative count -1"),
                dead("fuzz-1", "entry fulcrum-1#1 comes from incarnation 1 but #1 belongs to incarnation 77")));
        assertThat(wrong.deadLettersWrongReason()).isEqualTo(1);
        assertThat(wrong.deadLettersMissing()).isZero();
        assertThat(wrong.problems()).singleElement().asString().contains("for another reason than the one it was made for")
                .contains("belongs to incarnation 77");
        assertThat(wrong.ok()).isFalse();
    }

    @Test
    void aHistoryFileReadsBackTheSame(@TempDir Path tmp) {
        Path file = tmp.resolve("history.jsonl");
        try (HistoryRecorder onDisk = new HistoryRecorder(file)) {
            onDisk.record(new HistoryEvent(0, 0, ME, Type.INVOKE, "d", 1, "UpdateName", P, "c1", "c2", null, null,
                    null, null, null, false));
            onDisk.record(new HistoryEvent(0, 0, ME, Type.OK, "d", 1, "UpdateName", P, "c1", "c2", null, "fulcrum-1",
                    clock(2, 0, 0), null, null, false));
        }
        List<HistoryEvent> back = HistoryRecorder.read(file);
        assertThat(back).hasSize(2);
        assertThat(back.get(1).clock()).isEqualTo(clock(2, 0, 0));
        assertThat(back.get(1).newName()).isEqualTo("c2");
        assertThat(back.get(1).index()).isEqualTo(1);
    }
}
