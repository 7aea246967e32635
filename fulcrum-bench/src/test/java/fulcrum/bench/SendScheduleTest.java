package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SendScheduleTest {
    @Test
    void requestsAreDueAtEvenIntervalsFromTheStart() {
        SendSchedule schedule = new SendSchedule(1_000, 4); // every 250 ms
        assertThat(schedule.intendedNanos(0)).isEqualTo(1_000);
        assertThat(schedule.intendedNanos(1)).isEqualTo(1_000 + 250_000_000L);
        assertThat(schedule.intendedNanos(8)).isEqualTo(1_000 + 2_000_000_000L);
    }

    @Test
    void aFractionalRateKeepsItsAverageOverLongRuns() {
        SendSchedule schedule = new SendSchedule(0, 333.3);
        assertThat(schedule.intendedNanos(3333)).isBetween(9_999_999_000L, 10_000_001_000L);
    }

    @Test
    void aRunSendsTheRequestsDueBeforeItsEnd() {
        assertThat(new SendSchedule(0, 100).requestsWithin(1_000_000_000L)).isEqualTo(100);
        assertThat(new SendSchedule(0, 3).requestsWithin(1_000_000_000L)).isEqualTo(3);
        assertThat(new SendSchedule(0, 2.5).requestsWithin(1_000_000_000L)).isEqualTo(3); // at 0, 0.4 and 0.8 s
    }

    @Test
    void aRateMustBePositiveAndFinite() {
        assertThatThrownBy(() -> new SendSchedule(0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> new SendSchedule(0, -5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendSchedule(0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendSchedule(0, Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }
}
