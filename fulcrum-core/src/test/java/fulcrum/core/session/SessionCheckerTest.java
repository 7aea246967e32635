package fulcrum.core.session;

import static fulcrum.core.session.SessionStateTest.clock;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.session.SessionChecker.Guarantee;
import fulcrum.core.session.SessionChecker.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionCheckerTest {

    @Test
    void aValidHistoryHasNoViolation() {
        List<SessionEvent> history = List.of(
                SessionEvent.write("s1", "T", clock(1, 0, 0), "A"),
                SessionEvent.read("s1", "T", clock(1, 1, 0), "B"),
                SessionEvent.read("s2", "T", clock(0, 0, 1), "C"), // another session: nothing required
                SessionEvent.write("s1", "T", clock(1, 1, 1), "C"),
                SessionEvent.read("s1", "Hoth", clock(0, 0, 0), "A"), // another planet: nothing required
                SessionEvent.read("s1", "T", clock(1, 1, 1), "A"),
                // STALE is ignored, whatever its clock
                new SessionEvent("s1", CommandKind.GetNumberRebelds, "T", clock(0, 0, 0), "B", false, ErrorCode.STALE),
                new SessionEvent("s1", CommandKind.AddCity, "T", null, null, false, ErrorCode.INVALID_ARGUMENT),
                SessionEvent.write("s1", "T", clock(2, 1, 1), "A"));
        assertThat(SessionChecker.check(history)).isEmpty();
    }

    @Test
    void readYourWrites() {
        List<Violation> v = SessionChecker.check(List.of(
                SessionEvent.write("s", "T", clock(1, 0, 0), "A"),
                SessionEvent.read("s", "T", clock(0, 1, 0), "B")));
        assertThat(v).singleElement().satisfies(x -> {
            assertThat(x.guarantee()).isEqualTo(Guarantee.READ_YOUR_WRITES);
            assertThat(x.index()).isEqualTo(1);
            assertThat(x.earlier()).isEqualTo(0);
            assertThat(x.session()).isEqualTo("s");
            assertThat(x.planet()).isEqualTo("T");
            assertThat(x.toString()).startsWith("#1 READ_YOUR_WRITES").contains("at B").contains("#0 at A");
        });
    }

    @Test
    void monotonicReads() {
        List<Violation> v = SessionChecker.check(List.of(
                SessionEvent.read("s", "T", clock(0, 0, 0), "A"),
                SessionEvent.read("s", "T", clock(0, 2, 0), "B"),
                SessionEvent.read("s", "T", clock(0, 1, 5), "C")));
        assertThat(v).extracting(Violation::index, Violation::guarantee, Violation::earlier)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, Guarantee.MONOTONIC_READS, 1));
    }

    @Test
    void aNotFoundIsAReadOfTheState() {
        List<Violation> v = SessionChecker.check(List.of(
                new SessionEvent("s", CommandKind.UpdateNumber, "T", clock(3, 0, 0), "A", false, ErrorCode.CITY_NOT_FOUND),
                SessionEvent.read("s", "T", clock(2, 0, 0), "B")));
        assertThat(v).extracting(Violation::guarantee).containsExactly(Guarantee.MONOTONIC_READS);
    }

    @Test
    void monotonicWrites() {
        List<Violation> v = SessionChecker.check(List.of(
                SessionEvent.write("s", "T", clock(1, 0, 0), "A"),
                SessionEvent.write("s", "T", clock(0, 1, 0), "B")));
        assertThat(v).extracting(Violation::index, Violation::guarantee)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, Guarantee.MONOTONIC_WRITES));
    }

    @Test
    void writesFollowReads() {
        List<Violation> v = SessionChecker.check(List.of(
                SessionEvent.read("s", "T", clock(0, 0, 3), "C"),
                SessionEvent.write("s", "T", clock(1, 0, 2), "A")));
        assertThat(v).extracting(Violation::index, Violation::guarantee)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, Guarantee.WRITES_FOLLOW_READS));
    }

    @Test
    void oneEventCanBreakTwoGuaranteesAndEachIsReportedOnceWithTheEarliestWitness() {
        List<Violation> v = SessionChecker.check(List.of(
                SessionEvent.write("s", "T", clock(1, 0, 0), "A"),
                SessionEvent.read("s", "T", clock(1, 1, 0), "B"),
                SessionEvent.write("s", "T", clock(2, 1, 0), "A"),
                SessionEvent.read("s", "T", clock(0, 0, 1), "C")));
        assertThat(v).extracting(Violation::index, Violation::guarantee, Violation::earlier).containsExactly(
                org.assertj.core.groups.Tuple.tuple(3, Guarantee.READ_YOUR_WRITES, 0),
                org.assertj.core.groups.Tuple.tuple(3, Guarantee.MONOTONIC_READS, 1));
    }

    @Test
    void sessionsAndPlanetsAreIndependent() {
        assertThat(SessionChecker.check(List.of(
                SessionEvent.write("s1", "T", clock(5, 0, 0), "A"),
                SessionEvent.read("s2", "T", clock(0, 0, 0), "B"),
                SessionEvent.read("s1", "Hoth", clock(0, 0, 0), "B")))).isEmpty();
    }
}
