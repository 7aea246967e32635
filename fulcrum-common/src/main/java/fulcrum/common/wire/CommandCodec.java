package fulcrum.common.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.domain.Names;
import java.io.IOException;
import fulcrum.core.clock.VectorClock;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;

/**
 * Reads and writes command bodies. Decoding is strict and gives one-line reasons, because a body
 * may come from any AMQP client in any language:
 * <pre>{"command":"AddCity","planet":"Tatooine","city":"Mos_Espa","rebels":5}</pre>
 */
public final class CommandCodec {
    /** Bodies larger than this are refused before parsing. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private static final Set<String> FIELDS = Set.of("command", "planet", "city", "newName", "rebels", "requiredClock",
            "lastReplica");

    /**
     * A command as it travels: the domain command plus the session's required clock for its planet
     * (null when the sender keeps no session), and the replica that gave the session that clock
     * (a routing hint, null when unknown). A replica whose planet clock does not dominate the
     * required clock answers {@code STALE} instead of serving older state.
     */
    public record Envelope(Command command, VectorClock requiredClock, String lastReplica) {
    }

    private CommandCodec() {
    }

    public static byte[] encode(Command command) {
        return encode(command, null, null);
    }

    public static byte[] encode(Command command, VectorClock requiredClock) {
        return encode(command, requiredClock, null);
    }

    public static byte[] encode(Command command, VectorClock requiredClock, String lastReplica) {
        return FulcrumJson.write(toJson(FulcrumJson.MAPPER.createObjectNode(), command, requiredClock, lastReplica));
    }

    /** Writes the command's fields into {@code node} (a body, or one command of a batch). */
    static ObjectNode toJson(ObjectNode node, Command command, VectorClock requiredClock, String lastReplica) {
        node.put("command", command.kind().name());
        node.put("planet", command.planet());
        node.put("city", command.city());
        if (command.newName() != null) {
            node.put("newName", command.newName());
        }
        if (command.rebels() != null) {
            node.put("rebels", command.rebels());
        }
        if (requiredClock != null) {
            ObjectNode clock = node.putObject("requiredClock");
            requiredClock.asMap().forEach(clock::put);
        }
        if (lastReplica != null) {
            node.put("lastReplica", lastReplica);
        }
        return node;
    }

    /**
     * Decodes a body. {@code typeProperty} is the AMQP {@code type}; when present it must name the
     * same operation as the body.
     *
     * @throws InvalidCommandException with BAD_MESSAGE, UNKNOWN_COMMAND or INVALID_ARGUMENT
     */
    public static Command decode(byte[] body, String typeProperty) {
        return decodeEnvelope(body, typeProperty).command();
    }

    /** Like {@link #decode}, keeping the optional {@code requiredClock}. */
    public static Envelope decodeEnvelope(byte[] body, String typeProperty) {
        return fromTree(readObject(body, MAX_BODY_BYTES, "body"), typeProperty, null);
    }

    /**
     * Parses a client's message, a JSON object of at most {@code maxBytes}; what it is not is refused
     * with a reason naming it as {@code what} ("body", "batch").
     *
     * @throws InvalidCommandException with BAD_MESSAGE
     */
    static JsonNode readObject(byte[] body, int maxBytes, String what) {
        if (body == null || body.length == 0) {
            throw bad("empty " + what);
        }
        if (body.length > maxBytes) {
            throw bad(what + " of " + body.length + " bytes exceeds " + maxBytes);
        }
        JsonNode root;
        try {
            root = FulcrumJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw bad(what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad(what + " cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(what + " must be a JSON object");
        }
        return root;
    }

    /**
     * A command object already parsed: a whole body, or one command of a batch ({@link BatchCodec}),
     * where {@code extraField} (its id) is allowed beside the command's own fields.
     */
    static Envelope fromTree(JsonNode root, String typeProperty, String extraField) {
        String commandName = text(root, "command", true);
        CommandKind kind = CommandKind.parse(commandName).orElseThrow(() -> new InvalidCommandException(
                ErrorCode.UNKNOWN_COMMAND, "unknown command '" + commandName + "'"));
        try {
            return envelope(root, kind, typeProperty, extraField);
        } catch (InvalidCommandException e) {
            throw e.of(kind);
        }
    }

    private static Envelope envelope(JsonNode root, CommandKind kind, String typeProperty, String extraField) {
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name) && !name.equals(extraField)) {
                throw bad("unknown field '" + name + "'");
            }
        }
        if (typeProperty != null && !typeProperty.isEmpty() && !typeProperty.equals(kind.name())) {
            throw bad("AMQP type '" + typeProperty + "' does not match command '" + kind.name() + "'");
        }
        String planet = text(root, "planet", true);
        String city = text(root, "city", true);
        String newName = text(root, "newName", kind == CommandKind.UpdateName);
        Long rebels = count(root);
        if (kind == CommandKind.UpdateNumber && rebels == null) {
            throw bad("missing field 'rebels' (UpdateNumber sets it)");
        }
        if (kind == CommandKind.AddCity && rebels == null) {
            rebels = 0L;
        }
        String lastReplica = text(root, "lastReplica", false);
        if (lastReplica != null && Names.problem("lastReplica", lastReplica) != null) {
            throw bad(Names.problem("lastReplica", lastReplica));
        }
        return new Envelope(new Command(kind, planet, city, newName, rebels), clock(root), lastReplica);
    }

    private static VectorClock clock(JsonNode root) {
        JsonNode node = root.get("requiredClock");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject() || node.size() > 64) {
            throw bad("field 'requiredClock' must be an object of at most 64 replica ids to counts");
        }
        Map<String, Long> entries = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw bad("requiredClock entry '" + e.getKey() + "' must be a non-negative whole number");
            }
            entries.put(e.getKey(), v.longValue());
        }
        return VectorClock.of(entries);
    }

    private static String text(JsonNode root, String field, boolean required) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw bad("missing field '" + field + "'");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw bad("field '" + field + "' must be a string, got " + node.getNodeType().name().toLowerCase());
        }
        return node.textValue();
    }

    private static Long count(JsonNode root) {
        JsonNode node = root.get("rebels");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw bad("field 'rebels' must be a whole number that fits in 64 bits, got " + abbreviate(node.toString()));
        }
        return node.longValue();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private static InvalidCommandException bad(String message) {
        return new InvalidCommandException(ErrorCode.BAD_MESSAGE, message);
    }
}
