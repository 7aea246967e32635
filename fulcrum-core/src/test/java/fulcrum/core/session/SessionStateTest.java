package fulcrum.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SessionStateTest {

    static VectorClock clock(long a, long b, long c) {
        return VectorClock.of(Map.of("A", a, "B", b, "C", c));
    }

    static Reply write(String replica, String planet, VectorClock clock) {
        return Reply.success(CommandKind.UpdateNumber, planet, "c", replica, clock, null);
    }

    static Reply read(String replica, String planet, VectorClock clock) {
        return Reply.success(CommandKind.GetNumberRebelds, planet, "c", replica, clock, 7L);
    }

    @Test
    void anEmptySessionRequiresNothingAndAcceptsAnyAnswer() {
        SessionState s = SessionState.empty();
        assertThat(s.requiredClock("Tatooine")).isEqualTo(VectorClock.empty());
        assertThat(s.lastReplica("Tatooine")).isEmpty();
        assertThat(s.check(read("B", "Tatooine", clock(0, 0, 0))).accepted()).isTrue();
    }

    @Test
    void observingAWriteRequiresItsClockAndRemembersTheReplica() {
        SessionState s = SessionState.empty().observe(write("A", "T", clock(1, 0, 0)));
        assertThat(s.requiredClock("T")).isEqualTo(clock(1, 0, 0));
        assertThat(s.lastReplica("T")).contains("A");
        assertThat(s.requiredClock("Other")).isEqualTo(VectorClock.empty());

        // a read at B that has not merged A's write would break read-your-writes
        Reply stale = read("B", "T", clock(0, 2, 0));
        Verdict v = s.check(stale);
        assertThat(v.accepted()).isFalse();
        assertThat(v.code()).isEqualTo(ErrorCode.STALE);
        assertThat(v.reason()).contains("replica B").contains("older than the session's").contains("(seen at A)")
                .doesNotContain("\n");
        assertThat(s.observe(stale)).isSameAs(s);

        SessionState after = s.observe(read("B", "T", clock(1, 2, 0)));
        assertThat(after.requiredClock("T")).isEqualTo(clock(1, 2, 0));
        assertThat(after.lastReplica("T")).contains("B");
        // monotonic reads: going back to A's older state is refused now
        assertThat(after.check(read("A", "T", clock(1, 0, 0))).accepted()).isFalse();
        // an equal clock from another replica is fine
        assertThat(after.check(read("C", "T", clock(1, 2, 0))).accepted()).isTrue();
    }

    @Test
    void staleAndUnavailableAreRefusedWithTheirCodeAndNeverAdvance() {
        SessionState s = SessionState.empty().observe(write("A", "T", clock(1, 0, 0)));
        Reply stale = Reply.failure(CommandKind.GetNumberRebelds, "T", "c", "B", clock(5, 5, 5), ErrorCode.STALE,
                "replica B is behind");
        assertThat(s.check(stale)).isEqualTo(Verdict.refuse(ErrorCode.STALE, "replica B is behind"));
        assertThat(s.observe(stale)).isSameAs(s);
        Reply unavailable = Reply.failure(CommandKind.GetNumberRebelds, "T", "c", null, null,
                ErrorCode.UNAVAILABLE, "no replica answered in 5 s");
        assertThat(s.check(unavailable).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(s.observe(unavailable)).isSameAs(s);
    }

    @Test
    void refusalsDecidedByTheStateAreCheckedAndObservedLikeReads() {
        SessionState s = SessionState.empty().observe(write("A", "T", clock(2, 0, 0)));
        Reply oldNotFound = Reply.failure(CommandKind.UpdateNumber, "T", "c", "B", clock(1, 0, 0),
                ErrorCode.CITY_NOT_FOUND, "no city c on T");
        assertThat(s.check(oldNotFound).code()).isEqualTo(ErrorCode.STALE);
        assertThat(s.observe(oldNotFound)).isSameAs(s);

        Reply notFound = Reply.failure(CommandKind.UpdateNumber, "T", "c", "B", clock(2, 0, 1),
                ErrorCode.CITY_NOT_FOUND, "no city c on T");
        assertThat(s.check(notFound).accepted()).isTrue();
        assertThat(s.observe(notFound).requiredClock("T")).isEqualTo(clock(2, 0, 1));
    }

    @Test
    void inputErrorsSayNothingAboutTheState() {
        SessionState s = SessionState.empty().observe(write("A", "T", clock(2, 0, 0)));
        Reply invalid = Reply.failure(CommandKind.AddCity, "T", "c", null, null, ErrorCode.INVALID_ARGUMENT, "bad");
        assertThat(s.check(invalid).accepted()).isTrue();
        assertThat(s.observe(invalid)).isSameAs(s);
    }

    @Test
    void aSuccessWithoutClockCannotBeTrusted() {
        Reply noClock = Reply.success(CommandKind.GetNumberRebelds, "T", "c", "A", null, 1L);
        assertThat(SessionState.empty().check(noClock).code()).isEqualTo(ErrorCode.STALE);
    }

    @Test
    void clocksOfAGrowingClusterCompareWithMissingEntriesAsZero() {
        SessionState s = SessionState.empty().observe(read("A", "T", VectorClock.of(Map.of("A", 1L))));
        assertThat(s.check(read("D", "T", VectorClock.of(Map.of("A", 1L, "D", 3L)))).accepted()).isTrue();
    }

    @Test
    void plainDataRoundTrip() {
        SessionState s = SessionState.empty()
                .observe(write("A", "T", clock(1, 0, 0)))
                .observe(read("C", "Hoth", clock(0, 0, 4)));
        Map<String, SessionState.Entry> data = s.toData();
        assertThat(data).containsOnlyKeys("Hoth", "T");
        assertThat(data.get("T")).isEqualTo(new SessionState.Entry(new TreeMap<>(Map.of("A", 1L, "B", 0L, "C", 0L)), "A"));
        SessionState back = SessionState.fromData(data);
        assertThat(back).isEqualTo(s);
        assertThat(back.requiredClock("Hoth")).isEqualTo(clock(0, 0, 4));
        assertThat(back.lastReplica("Hoth")).contains("C");
        assertThat(SessionState.fromData(Map.of())).isEqualTo(SessionState.empty());
        assertThat(s.planets()).containsExactly("Hoth", "T");
    }
}
