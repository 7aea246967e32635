package fulcrum.core.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.domain.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A route answer's table: the replica set its route is an order of, valid for a non-negative time. */
class RouteAnswerTest {
    @Test
    void aTableIsTheReplicasTheRouteIsAnOrderOf() {
        RouteAnswer answer = RouteAnswer.route(List.of("b", "a"), List.of("a", "b"), 5000);
        assertThat(answer.hasTable()).isTrue();
        assertThat(RouteAnswer.route(List.of("b", "a"), List.of("a", "b"), 0).hasTable()).isFalse();
        assertThat(RouteAnswer.route(List.of("b", "a")).hasTable()).isFalse();
        assertThat(RouteAnswer.refused(ErrorCode.BAD_MESSAGE, "x").hasTable()).isFalse();
    }

    @Test
    void aBadTableIsRefused() {
        assertThatThrownBy(() -> RouteAnswer.route(List.of("a", "b"), List.of("a", "c"), 5)).hasMessageContaining("not an order");
        assertThatThrownBy(() -> RouteAnswer.route(List.of("a"), List.of("a", "b"), 5)).hasMessageContaining("not an order");
        assertThatThrownBy(() -> RouteAnswer.route(List.of("a", "a"), List.of("a", "a"), 5)).hasMessageContaining("not distinct");
        assertThatThrownBy(() -> RouteAnswer.route(List.of(" "), List.of(" "), 5)).hasMessageContaining("blank");
        assertThatThrownBy(() -> RouteAnswer.route(List.of("a"), List.of("a"), -1)).hasMessageContaining("negative");
        assertThatThrownBy(() -> RouteAnswer.route(List.of("a"), List.of(), 5)).hasMessageContaining("without its replicas");
        assertThatThrownBy(() -> new RouteAnswer(List.of(), ErrorCode.BAD_MESSAGE, "x", List.of("a"), 5))
                .hasMessageContaining("refused");
    }

    @Test
    void routerLimitsTakeAValidityOfZeroButNotANegativeOne() {
        assertThat(new RouterLimits(1, 1, 1).routeTableValidityMillis())
                .isEqualTo(RouterLimits.DEFAULT_ROUTE_TABLE_VALIDITY_MILLIS).isEqualTo(5000);
        assertThat(new RouterLimits(1, 1, 1, 0).routeTableValidityMillis()).isZero();
        assertThatThrownBy(() -> new RouterLimits(1, 1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
