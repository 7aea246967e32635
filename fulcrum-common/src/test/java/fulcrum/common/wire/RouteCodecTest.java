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
}
