package fulcrum.common.client;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouteAnswer;
import fulcrum.core.session.WriteRouting;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's route table: used while fresh (by the time passed in), else the client asks. */
class RouteTableTest {
    private static final List<String> REPLICAS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");
    private static final long T0 = 1_000_000_000L;

    private final RouteTable table = new RouteTable();

    private static RouteAnswer withTable(long validForMillis) {
        return RouteAnswer.route(new WriteRouting(REPLICAS).order("w-0", null), REPLICAS, validForMillis);
    }

    private static long plusMillis(long millis) {
        return T0 + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void aFreshTableGivesTheRoutersOrderUntilItsValidityEnds() {
        table.learn(withTable(5000), T0);
        assertThat(table.order("w-1", "fulcrum-3", T0)).isEqualTo(new WriteRouting(REPLICAS).order("w-1", "fulcrum-3"));
        assertThat(table.order("w-2", null, plusMillis(4999))).isEqualTo(new WriteRouting(REPLICAS).order("w-2", null));
        assertThat(table.order("w-2", null, plusMillis(5000) - 1)).isNotNull();
        assertThat(table.order("w-2", null, plusMillis(5000))).as("expired").isNull();
        assertThat(table.order("w-2", null, plusMillis(60_000))).isNull();
    }

    @Test
    void aNewAnswerRenewsTheTable() {
        table.learn(withTable(5000), T0);
        table.learn(withTable(5000), plusMillis(4000));
        assertThat(table.order("w-1", null, plusMillis(8000))).isNotNull();
        assertThat(table.order("w-1", null, plusMillis(9000))).isNull();
    }

    @Test
    void anEmptyTableAsksAndForgetMakesTheNextWriteAsk() {
        assertThat(table.order("w-1", null, T0)).isNull();
        table.learn(withTable(5000), T0);
        table.forget();
        assertThat(table.order("w-1", null, T0)).isNull();
    }

    @Test
    void anAnswerWithoutATableTeachesNothingAndForgetsTheOldOne() {
        table.learn(RouteAnswer.route(REPLICAS), T0);
        assertThat(table.order("w-1", null, T0)).isNull();

        table.learn(withTable(5000), T0);
        table.learn(RouteAnswer.route(REPLICAS), T0);
        assertThat(table.order("w-1", null, T0)).as("a router that hands out no table wants every write to ask").isNull();
    }

    @Test
    void aTableValidForZeroTeachesNothing() {
        table.learn(withTable(0), T0);
        assertThat(table.order("w-1", null, T0)).isNull();
    }

    @Test
    void aRefusedRouteForgetsTheTable() {
        table.learn(withTable(5000), T0);
        table.learn(RouteAnswer.refused(ErrorCode.BAD_MESSAGE, "no id"), T0);
        assertThat(table.order("w-1", null, T0)).isNull();
    }

    @Test
    void aHugeValidityDoesNotOverflowIntoExpiry() {
        table.learn(withTable(Long.MAX_VALUE), Long.MAX_VALUE - 10);
        assertThat(table.order("w-1", null, Long.MAX_VALUE)).isNotNull();
        assertThat(table.order("w-1", null, Long.MIN_VALUE + 10)).as("nanoTime wrapped around").isNotNull();
    }
}
