package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MeasurementTest {
    private static final long SECOND_NANOS = 1_000_000_000L;

    @Test
    void failuresAreCountedByKindKeptOutOfTheThroughputAndTheFirstIsKeptWhole() {
        Measurement m = new Measurement(0, 2 * SECOND_NANOS);
        m.answered(0, SECOND_NANOS / 2, null);
        m.answered(0, SECOND_NANOS / 2, "CITY_NOT_FOUND: no city c494 on P4");
        m.answered(0, SECOND_NANOS, "CITY_NOT_FOUND: no city c33 on P9");
        m.answered(0, SECOND_NANOS, "nack");
        m.answered(0, SECOND_NANOS + 1, null);

        LoadResult r = m.result("writes", 0);

        assertThat(r.completed()).as("successes only").isEqualTo(2);
        assertThat(r.throughput()).isEqualTo(1.0);
        assertThat(r.failed()).isEqualTo(3);
        assertThat(r.failuresByKind()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("CITY_NOT_FOUND", 2L, "nack", 1L));
        assertThat(r.firstFailure()).isEqualTo("CITY_NOT_FOUND: no city c494 on P4");
        assertThat(r.latency().maxMillis()).as("a failure's latency counts").isGreaterThanOrEqualTo(1000.0);
    }

    @Test
    void kindsBeyondTheBoundAreCountedTogether() {
        Measurement m = new Measurement(0, SECOND_NANOS);
        for (int i = 0; i < Measurement.MAX_FAILURE_KINDS + 5; i++) {
            m.answered(0, 1, "KIND_" + i + ": failed");
        }
        LoadResult r = m.result("writes", 0);
        assertThat(r.failuresByKind()).hasSize(Measurement.MAX_FAILURE_KINDS + 1);
        assertThat(r.failuresByKind()).containsEntry(Measurement.OTHER_FAILURES, 5L);
        assertThat(r.failed()).isEqualTo(Measurement.MAX_FAILURE_KINDS + 5);
    }

    @Test
    void noFailureLeavesNoFirstFailure() {
        Measurement m = new Measurement(0, SECOND_NANOS);
        m.answered(0, 10, null);
        assertThat(m.result("raw", 0).firstFailure()).isNull();
        assertThat(m.result("raw", 0).failuresByKind()).isEmpty();
    }
}
