package fulcrum.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouteAnswer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route answer's wire format, as the README gives it. */
class RouteCodecTest {
    @Test
    void aRouteIsTheReplicasInOrder() {
        byte[] body = RouteCodec.encode(RouteAnswer.route(List.of("fulcrum-2", "fulcrum-1", "fulcrum-3")));
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true,\"route\":[\"fulcrum-2\",\"fulcrum-1\",\"fulcrum-3\"]}");
        assertThat(RouteCodec.decode(body).order()).containsExactly("fulcrum-2", "fulcrum-1", "fulcrum-3");
    }

    @Test
    void aRefusalCarriesItsCodeAndMessage() {
        RouteAnswer refused = RouteCodec.decode(RouteCodec.encode(RouteAnswer.refused(ErrorCode.BAD_MESSAGE, "no id")));
        assertThat(refused.ok()).isFalse();
        assertThat(refused.errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
        assertThat(refused.errorMessage()).isEqualTo("no id");
    }

    @Test
    void whatIsNoRouteAnswerIsRefusedWithItsReason() {
        assertThatThrownBy(() -> RouteCodec.decode("nope".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> RouteCodec.decode("{\"ok\":true,\"route\":[]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("'route'");
        assertThatThrownBy(() -> RouteCodec.decode("{\"ok\":false,\"error\":{\"code\":\"NOPE\"}}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("NOPE");
    }

    @Test
    void aRouteTableTravelsWithTheRoute() {
        byte[] body = RouteCodec.encode(RouteAnswer.route(List.of("fulcrum-2", "fulcrum-1", "fulcrum-3"),
                List.of("fulcrum-1", "fulcrum-2", "fulcrum-3"), 5000));
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true,\"route\":[\"fulcrum-2\",\"fulcrum-1\","
                + "\"fulcrum-3\"],\"replicas\":[\"fulcrum-1\",\"fulcrum-2\",\"fulcrum-3\"],\"valid_for_ms\":5000}");
        RouteAnswer decoded = RouteCodec.decode(body);
        assertThat(decoded.order()).containsExactly("fulcrum-2", "fulcrum-1", "fulcrum-3");
        assertThat(decoded.replicas()).as("in the router's configured order").containsExactly("fulcrum-1", "fulcrum-2", "fulcrum-3");
        assertThat(decoded.validForMillis()).isEqualTo(5000);
        assertThat(decoded.hasTable()).isTrue();
    }

    @Test
    void anOlderRoutersAnswerHasNoTable() {
        RouteAnswer old = decode("{\"ok\":true,\"route\":[\"fulcrum-2\",\"fulcrum-1\"]}");
        assertThat(old.replicas()).isEmpty();
        assertThat(old.hasTable()).isFalse();
    }

    @Test
    void aTableValidForZeroIsReadButIsNoTableToUse() {
        RouteAnswer zero = decode("{\"ok\":true,\"route\":[\"b\",\"a\"],\"replicas\":[\"a\",\"b\"],\"valid_for_ms\":0}");
        assertThat(zero.replicas()).containsExactly("a", "b");
        assertThat(zero.hasTable()).isFalse();
    }

    @Test
    void aBadRouteTableIsRefusedWithItsReason() {
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"replicas\":[],\"valid_for_ms\":5}", "'replicas'");
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"replicas\":\"a\",\"valid_for_ms\":5}", "'replicas'");
        assertBad("{\"ok\":true,\"route\":[\"a\",\" \"],\"replicas\":[\"a\",\" \"],\"valid_for_ms\":5}", "'route'");
        assertBad("{\"ok\":true,\"route\":[\"a\",\"b\"],\"replicas\":[\"a\",\" \"],\"valid_for_ms\":5}", "'replicas'");
        assertBad("{\"ok\":true,\"route\":[\"a\",\"b\"],\"replicas\":[\"a\",7],\"valid_for_ms\":5}", "'replicas'");
        assertBad("{\"ok\":true,\"route\":[\"a\",\"a\"],\"replicas\":[\"a\",\"a\"],\"valid_for_ms\":5}", "not distinct");
        assertBad("{\"ok\":true,\"route\":[\"a\",\"c\"],\"replicas\":[\"a\",\"b\"],\"valid_for_ms\":5}",
                "not an order of the route table's replicas");
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"replicas\":[\"a\",\"b\"],\"valid_for_ms\":5}",
                "not an order of the route table's replicas");
        assertBad("{\"ok\":true,\"route\":[\"a\",\"b\",\"a\"],\"replicas\":[\"a\",\"b\"],\"valid_for_ms\":5}",
                "not an order of the route table's replicas");
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"replicas\":[\"a\"],\"valid_for_ms\":-1}", "'valid_for_ms'");
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"replicas\":[\"a\"],\"valid_for_ms\":1.5}", "'valid_for_ms'");
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"replicas\":[\"a\"],\"valid_for_ms\":\"5\"}", "'valid_for_ms'");
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"replicas\":[\"a\"],\"valid_for_ms\":1e30}", "'valid_for_ms'");
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"replicas\":[\"a\"]}", "only one of");
        assertBad("{\"ok\":true,\"route\":[\"a\"],\"valid_for_ms\":5}", "only one of");
        assertBad("{\"ok\":false,\"error\":{\"code\":\"BAD_MESSAGE\",\"message\":\"x\"},\"replicas\":[\"a\"],"
                + "\"valid_for_ms\":5}", "route table");
    }

    private static RouteAnswer decode(String json) {
        return RouteCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertBad(String json, String reason) {
        assertThatThrownBy(() -> decode(json)).as(json).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }
}
