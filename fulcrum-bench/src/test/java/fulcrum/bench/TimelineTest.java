package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimelineTest {
    @Test
    void completionsAreCountedPerSecondOfTheRun() {
        Timeline t = new Timeline(5_000_000_000L, 3);
        t.record(5_000_000_000L);
        t.record(5_999_999_999L);
        t.record(6_000_000_000L);
        t.record(7_500_000_000L);
        assertThat(t.counts()).containsExactly(2, 1, 1);
    }

    @Test
    void completionsOutsideTheRunAreNotCounted() {
        Timeline t = new Timeline(1_000_000_000L, 2);
        t.record(999_999_999L);
        t.record(3_000_000_000L); // the drain, after the run's two seconds
        assertThat(t.counts()).containsExactly(0, 0);
    }
}
