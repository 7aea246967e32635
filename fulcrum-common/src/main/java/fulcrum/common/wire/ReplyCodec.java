package fulcrum.common.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reply bodies, which are also what the CLIs print with {@code --json}:
 * <pre>{"ok":true,"command":"AddCity","planet":"Tatooine","city":"Mos_Espa","replica":"fulcrum-2","clock":{...}}</pre>
 * <pre>{"ok":false,"command":"DeleteCity",...,"error":{"code":"CITY_NOT_FOUND","message":"…"}}</pre>
 */
public final class ReplyCodec {
    private ReplyCodec() {
    }

    public static ObjectNode toJson(Reply reply) {
        ObjectNode node = FulcrumJson.MAPPER.createObjectNode();
        node.put("ok", reply.ok());
        if (reply.command() != null) {
            node.put("command", reply.command().name());
        }
        putIfPresent(node, "planet", reply.planet());
        putIfPresent(node, "city", reply.city());
        putIfPresent(node, "replica", reply.replica());
        if (reply.clock() != null) {
            ObjectNode clock = node.putObject("clock");
            reply.clock().asMap().forEach(clock::put);
        }
        if (reply.rebels() != null) {
            node.put("rebels", reply.rebels());
        }
        if (!reply.ok()) {
            ObjectNode error = node.putObject("error");
            error.put("code", reply.errorCode().name());
            error.put("message", reply.errorMessage());
        }
        return node;
    }

    public static byte[] encode(Reply reply) {
        return FulcrumJson.write(toJson(reply));
    }

    public static String toLine(Reply reply) {
        return FulcrumJson.writeString(toJson(reply));
    }

    /** Parses a reply; throws IllegalArgumentException with a reason when it is not one. */
    public static Reply decode(byte[] body) {
        JsonNode root;
        try {
            root = FulcrumJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("reply is not JSON: " + e.getMessage(), e);
        }
        return fromTree(root);
    }

    /** A reply already parsed (a whole body, or one answer of a batch's, {@link BatchCodec}). */
    static Reply fromTree(JsonNode root) {
        if (root == null || !root.isObject() || !root.path("ok").isBoolean()) {
            throw new IllegalArgumentException("reply has no boolean 'ok'");
        }
        boolean ok = root.get("ok").booleanValue();
        CommandKind command = root.hasNonNull("command")
                ? CommandKind.parse(root.get("command").asText()).orElse(null) : null;
        VectorClock clock = null;
        if (root.path("clock").isObject()) {
            Map<String, Long> entries = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("clock").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                entries.put(e.getKey(), e.getValue().asLong());
            }
            clock = VectorClock.of(entries);
        }
        Long rebels = root.hasNonNull("rebels") ? root.get("rebels").asLong() : null;
        if (ok) {
            return Reply.success(command, text(root, "planet"), text(root, "city"), text(root, "replica"), clock, rebels);
        }
        JsonNode error = root.path("error");
        ErrorCode code;
        try {
            code = ErrorCode.valueOf(error.path("code").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reply has unknown error code '" + error.path("code").asText() + "'", e);
        }
        return Reply.failure(command, text(root, "planet"), text(root, "city"), text(root, "replica"), clock,
                code, error.path("message").asText(""));
    }

    private static String text(JsonNode root, String field) {
        return root.hasNonNull(field) ? root.get(field).asText() : null;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
