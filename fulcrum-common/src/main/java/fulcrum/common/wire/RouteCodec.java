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
 * <pre>{"ok":true,"route":["fulcrum-2","fulcrum-1","fulcrum-3"],"replicas":["fulcrum-1","fulcrum-2","fulcrum-3"],"valid_for_ms":5000}</pre>
 * <pre>{"ok":false,"error":{"code":"BAD_MESSAGE","message":"…"}}</pre>
 * {@code replicas} and {@code valid_for_ms}, the route table, come together or not at all (an older
 * router's answer, or a router that hands out no table, has neither).
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
            if (!answer.replicas().isEmpty()) {
                ArrayNode replicas = node.putArray("replicas");
                answer.replicas().forEach(replicas::add);
                node.put("valid_for_ms", answer.validForMillis());
            }
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
            List<String> order = names(root.path("route"));
            if (order.isEmpty()) {
                throw new IllegalArgumentException("route answer has no list of replicas 'route'");
            }
            return withTable(root, order);
        }
        if (root.has("replicas") || root.has("valid_for_ms")) {
            throw new IllegalArgumentException("a refused route answer has a route table");
        }
        JsonNode error = root.path("error");
        try {
            return RouteAnswer.refused(ErrorCode.valueOf(error.path("code").asText()), error.path("message").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route answer has unknown error code '" + error.path("code").asText() + "'", e);
        }
    }

    /** The route answer for {@code order}, with its route table when the answer has one. */
    private static RouteAnswer withTable(JsonNode root, List<String> order) {
        boolean hasReplicas = root.has("replicas");
        if (hasReplicas != root.has("valid_for_ms")) {
            throw new IllegalArgumentException("route answer has only one of 'replicas' and 'valid_for_ms' (a route"
                    + " table has both)");
        }
        if (!hasReplicas) {
            return RouteAnswer.route(order);
        }
        List<String> replicas = names(root.get("replicas"));
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("route answer's 'replicas' is not a non-empty list of replica names");
        }
        JsonNode validity = root.get("valid_for_ms");
        if (!validity.isIntegralNumber() || !validity.canConvertToLong() || validity.longValue() < 0) {
            throw new IllegalArgumentException("route answer's 'valid_for_ms' is not a non-negative integer: " + validity);
        }
        try {
            return RouteAnswer.route(order, replicas, validity.longValue());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route answer's route table is not valid: " + e.getMessage(), e);
        }
    }

    /** The names of a JSON array of non-blank strings; empty when it is not one (or is empty). */
    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        if (array == null || !array.isArray()) {
            return names;
        }
        for (JsonNode name : array) {
            if (!name.isTextual() || name.asText().isBlank()) {
                return new ArrayList<>();
            }
            names.add(name.asText());
        }
        return names;
    }
}
