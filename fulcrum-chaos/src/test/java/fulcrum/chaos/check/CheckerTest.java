package fulcrum.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Hand-made histories and final states that must pass, and ones that must fail each check. */
class CheckerTest {
    private static final String P = "Chaos_1";

    private final HistoryRecorder rec = HistoryRecorder.inMemory();

    private void write(String id, String kind, String city, long value, Type outcome, String replica,
                       Map<String, Long> clock) {
        rec.record(new HistoryEvent(0, 0, "informant-1", Type.INVOKE, id, 1, kind, P, city, value, null, null, null,
                null, false));
        rec.record(new HistoryEvent(0, 0, "informant-1", outcome, id, 1, kind, P, city, value,
                outcome == Type.UNKNOWN ? null : replica, outcome == Type.UNKNOWN ? null : clock, null,
                outcome == Type.OK ? null : (outcome == Type.FAIL ? "CITY_ALREADY_EXISTS" : "no reply"), false));
    }

    private void read(String session, String id, String city, long rebels, String replica, Map<String, Long> clock) {
        rec.record(new HistoryEvent(0, 0, session, Type.INVOKE, id, 1, "GetNumberRebelds", P, city, null, null, null,
                null, null, false));
        rec.record(new HistoryEvent(0, 0, session, Type.OK, id, 1, "GetNumberRebelds", P, city, null, replica, clock,
                rebels, null, false));
    }

    private static Map<String, Long> clock(long a, long b, long c) {
        return Map.of("fulcrum-1", a, "fulcrum-2", b, "fulcrum-3", c);
    }

    private static FinalReplica replica(String id, Map<String, Long> clock, Map<String, Long> cities,
                                        FinalReplica.LoggedOp... ops) {
        return new FinalReplica(id, "dump " + clock + cities,
                Map.of(P, new FinalReplica.PlanetView(clock, cities)), List.of(ops));
    }

    private static List<FinalReplica> everywhere(Map<String, Long> clock, Map<String, Long> cities,
                                                 FinalReplica.LoggedOp... ops) {
        List<FinalReplica> out = new ArrayList<>();
        for (String id : List.of("fulcrum-1", "fulcrum-2", "fulcrum-3")) {
            out.add(replica(id, clock, cities, ops));
        }
        return out;
    }

    private CheckReport check(List<FinalReplica> replicas) {
        return Checker.check(rec.events(), replicas, Set.of(), Set.of(), List.of());
    }

    private void baseHistory() {
        write("a", "AddCity", "c1", 10, Type.OK, "fulcrum-1", clock(1, 0, 0));
        write("b", "UpdateNumber", "c1", 11, Type.OK, "fulcrum-1", clock(2, 0, 0));
        read("informant-1", "r1", "c1", 11, "fulcrum-2", clock(2, 0, 0));
        read("leia-1", "r2", "c1", 10, "fulcrum-3", clock(1, 0, 0));
    }

    @Test
    void aCleanHistoryPasses() {
        baseHistory();
        CheckReport r = check(everywhere(clock(2, 0, 0), Map.of("c1", 11L),
                new FinalReplica.LoggedOp("fulcrum-1", 1, "a"), new FinalReplica.LoggedOp("fulcrum-1", 2, "b")));
        assertThat(r.problems()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.acknowledged()).isEqualTo(2);
        assertThat(r.reads()).isEqualTo(2);
    }

    @Test
    void anUnknownWriteMayOrMayNotBeApplied() {
        baseHistory();
        write("c", "UpdateNumber", "c1", 12, Type.UNKNOWN, null, null);
        assertThat(check(everywhere(clock(2, 0, 0), Map.of("c1", 11L))).ok()).isTrue();
        CheckReport applied = check(everywhere(clock(3, 0, 0), Map.of("c1", 12L)));
        assertThat(applied.problems()).isEmpty();
        assertThat(applied.unknown()).isEqualTo(1);
    }

    @Test
    void anAcknowledgedWriteMissingIsLost() {
        baseHistory();
        CheckReport r = check(everywhere(clock(1, 0, 0), Map.of("c1", 10L)));
        assertThat(r.ok()).isFalse();
        assertThat(r.lost()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anAcknowledgedCityMissingIsLost() {
        baseHistory();
        assertThat(check(everywhere(clock(2, 0, 0), Map.of())).lost()).isEqualTo(1);
    }

    @Test
    void aValueNoWriteSetIsUnexpected() {
        baseHistory();
        CheckReport r = check(everywhere(clock(2, 0, 0), Map.of("c1", 99L, "ghost", 1L)));
        assertThat(r.unexpected()).isEqualTo(2);
        assertThat(r.ok()).isFalse();
    }

    @Test
    void aRefusedWriteThatTookEffectIsUnexpected() {
        baseHistory();
        write("d", "UpdateNumber", "c1", 13, Type.FAIL, "fulcrum-2", clock(2, 0, 0));
        assertThat(check(everywhere(clock(2, 0, 0), Map.of("c1", 13L))).unexpected()).isEqualTo(1);
    }

    @Test
    void aCommandTwiceInAnOpLogOrAClockCountingTooManyWritesIsDoubled() {
        baseHistory();
        CheckReport inLog = check(everywhere(clock(2, 0, 0), Map.of("c1", 11L),
                new FinalReplica.LoggedOp("fulcrum-1", 1, "a"), new FinalReplica.LoggedOp("fulcrum-1", 2, "a")));
        assertThat(inLog.doubled()).isEqualTo(1);
        CheckReport byClock = check(everywhere(clock(3, 0, 0), Map.of("c1", 11L)));
        assertThat(byClock.doubled()).isEqualTo(1);
        CheckReport twoOrigins = check(everywhere(clock(2, 1, 0), Map.of("c1", 11L),
                new FinalReplica.LoggedOp("fulcrum-1", 2, "b"), new FinalReplica.LoggedOp("fulcrum-2", 1, "b")));
        assertThat(twoOrigins.multiOrigin()).isEqualTo(1);
        assertThat(twoOrigins.ok()).isFalse();
    }

    @Test
    void aReadOlderThanTheSessionsWriteIsAViolation() {
        baseHistory();
        read("informant-1", "r3", "c1", 10, "fulcrum-3", clock(1, 0, 0));
        CheckReport r = check(everywhere(clock(2, 0, 0), Map.of("c1", 11L)));
        assertThat(r.sessionViolations()).isEqualTo(3); // RYW and monotonic reads on clocks, and the value
        assertThat(r.ok()).isFalse();
    }

    @Test
    void leiasReadsGoingBackIsAMonotonicReadsViolation() {
        baseHistory();
        read("leia-1", "r3", "c1", 11, "fulcrum-1", clock(2, 0, 0));
        read("leia-1", "r4", "c1", 10, "fulcrum-3", clock(1, 0, 0));
        CheckReport r = check(everywhere(clock(2, 0, 0), Map.of("c1", 11L)));
        assertThat(r.sessionViolations()).isEqualTo(1);
        assertThat(r.problems()).anyMatch(p -> p.contains("MONOTONIC_READS"));
    }

    @Test
    void replicasThatDifferFail() {
        baseHistory();
        List<FinalReplica> replicas = new ArrayList<>(everywhere(clock(2, 0, 0), Map.of("c1", 11L)));
        replicas.set(2, replica("fulcrum-3", clock(1, 0, 0), Map.of("c1", 10L)));
        CheckReport r = check(replicas);
        assertThat(r.dumpsIdentical()).isFalse();
        assertThat(r.clocksEqual()).isFalse();
        assertThat(r.ok()).isFalse();
    }

    @Test
    void deadLettersMustBeExactlyTheBadInputs() {
        baseHistory();
        List<FinalReplica> replicas = everywhere(clock(2, 0, 0), Map.of("c1", 11L));
        Set<String> sent = Set.of("fuzz-1", "fuzz-2", "fuzz-3");
        Set<String> confirmed = Set.of("fuzz-1", "fuzz-2");
        // a redelivery may dead-letter one twice; an unconfirmed one may or may not be there
        CheckReport good = Checker.check(rec.events(), replicas, confirmed, sent, List.of("fuzz-1", "fuzz-2", "fuzz-2"));
        assertThat(good.ok()).isTrue();
        assertThat(good.deadLettersFound()).isEqualTo(2);
        CheckReport missing = Checker.check(rec.events(), replicas, confirmed, sent, List.of("fuzz-1"));
        assertThat(missing.deadLettersMissing()).isEqualTo(1);
        assertThat(missing.ok()).isFalse();
        List<String> withForeign = new ArrayList<>(List.of("fuzz-1", "fuzz-2"));
        withForeign.add(null);
        assertThat(Checker.check(rec.events(), replicas, confirmed, sent, withForeign).deadLettersForeign()).isEqualTo(1);
    }

    @Test
    void aHistoryFileReadsBackTheSame(@TempDir Path tmp) {
        Path file = tmp.resolve("history.jsonl");
        try (HistoryRecorder onDisk = new HistoryRecorder(file)) {
            onDisk.record(new HistoryEvent(0, 0, "informant-1", Type.INVOKE, "a", 1, "AddCity", P, "c1", 10L, null, null,
                    null, null, false));
            onDisk.record(new HistoryEvent(0, 0, "informant-1", Type.OK, "a", 1, "AddCity", P, "c1", 10L, "fulcrum-1",
                    clock(1, 0, 0), null, null, false));
        }
        List<HistoryEvent> back = HistoryRecorder.read(file);
        assertThat(back).hasSize(2);
        assertThat(back.get(1).clock()).isEqualTo(clock(1, 0, 0));
        assertThat(Checker.check(back, everywhere(clock(1, 0, 0), Map.of("c1", 10L)), Set.of(), Set.of(), List.of()).ok())
                .isTrue();
    }
}
