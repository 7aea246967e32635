package fulcrum.common.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {
    @Test
    void durationsAsPeopleWriteThemAndZeroWithoutAUnit() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("0")).isZero();
        assertThat(DurationConverter.parse("0s")).isZero();
        assertThatThrownBy(() -> DurationConverter.parse("5")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> DurationConverter.parse("-1s")).hasMessageContaining("not a duration");
    }
}
