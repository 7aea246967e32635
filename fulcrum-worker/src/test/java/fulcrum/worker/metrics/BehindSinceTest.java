package fulcrum.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BehindSinceTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theLagAgesFromTheFirstObservationBehindUntilOneCaughtUp() {
        BehindSince lag = new BehindSince();
        lag.observe(Map.of("fulcrum-2", 0L, "fulcrum-3", 4L), 10 * SECOND);
        lag.observe(Map.of("fulcrum-2", 0L, "fulcrum-3", 7L), 12 * SECOND);
        assertThat(lag.seconds("fulcrum-3", 13 * SECOND)).as("behind since the first observation").isEqualTo(3.0);
        assertThat(lag.seconds("fulcrum-2", 13 * SECOND)).isZero();

        lag.observe(Map.of("fulcrum-2", 0L, "fulcrum-3", 0L), 14 * SECOND);
        assertThat(lag.seconds("fulcrum-3", 15 * SECOND)).as("caught up").isZero();
        lag.observe(Map.of("fulcrum-3", 1L), 20 * SECOND);
        assertThat(lag.seconds("fulcrum-3", 21 * SECOND)).as("a new lag starts anew").isEqualTo(1.0);
        assertThat(lag.seconds("fulcrum-9", 21 * SECOND)).as("an unknown peer").isZero();
    }
}
