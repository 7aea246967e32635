package fulcrum.common.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouteAnswer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Mos Eisley's answers to route requests (the request is the write itself, sent transient to
 * {@code mos-eisley.routes}):
 * <pre>{"ok":true,"route":["fulcrum-2","fulcrum-1","fulcrum-3"]}</pre>
 * <pre>{"ok":false,"error":{"code":"BAD_MESSAGE","message":"…"}}</pre>
 */
public final class RouteCodec {
    /** The AMQP {@code type} of a route answer, which tells it from a command's reply on the same reply queue. */
    public static final String TYPE = "Route";

    private RouteCodec() {
    }

    public static byte[] encode(RouteAnswer answer) {
        ObjectNode node = FulcrumJson.MAPPER.createObjectNode();
        node.put("ok", answer.ok());
        if (answer.ok()) {
            ArrayNode route = node.putArray("route");
            answer.order().forEach(route::add);
        } else {
            ObjectNode error = node.putObject("error");
            error.put("code", answer.errorCode().name());
            error.put("message", answer.errorMessage());
        }
        return FulcrumJson.write(node);
    }

    /** Parses a route answer; throws IllegalArgumentException with a reason when it is not one. */
    public static RouteAnswer decode(byte[] body) {
        JsonNode root;
        try {
            root = FulcrumJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("route answer is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("ok").isBoolean()) {
            throw new IllegalArgumentException("route answer has no boolean 'ok'");
        }
        if (root.get("ok").booleanValue()) {
            JsonNode route = root.path("route");
            List<String> order = new ArrayList<>();
            route.forEach(replica -> order.add(replica.asText()));
            if (!route.isArray() || order.isEmpty() || order.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("route answer has no list of replicas 'route'");
            }
            return RouteAnswer.route(order);
        }
        JsonNode error = root.path("error");
        try {
            return RouteAnswer.refused(ErrorCode.valueOf(error.path("code").asText()), error.path("message").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route answer has unknown error code '" + error.path("code").asText() + "'", e);
        }
    }
}
