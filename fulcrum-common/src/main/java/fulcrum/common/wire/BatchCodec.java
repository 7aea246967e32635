package fulcrum.common.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.node.BatchedCommand;
import fulcrum.core.replica.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Batches: several commands a client sends to one replica in one message (AMQP {@code type}
 * {@value #COMMAND_BATCH_TYPE}), and the one message that answers them all ({@value #REPLY_BATCH_TYPE}):
 * <pre>{"commands":[{"id":"c1","command":"UpdateNumber","planet":"Tatooine","city":"Mos_Espa","rebels":7}, …]}</pre>
 * <pre>{"replies":[{"id":"c1","reply":{"ok":true,"command":"UpdateNumber",…}}, …]}</pre>
 * Each command is a command body (same fields, same rules) plus its {@code id}, the command id
 * that a message alone carries as {@code message_id}; each answer is a reply body with that id.
 *
 * <p>Decoding a batch is strict in two levels. What breaks the batch itself (not JSON, no
 * {@code commands} array, none or more than {@value BatchedCommand#MAX_PER_BATCH}, an entry that is
 * not an object or has no {@code id}) refuses the whole message: no command of it is taken. What
 * breaks one command (an unknown command, a bad field, a name the domain refuses) refuses that
 * command alone, answered with its error under its id.
 */
public final class BatchCodec {
    public static final String COMMAND_BATCH_TYPE = "CommandBatch";
    public static final String REPLY_BATCH_TYPE = "ReplyBatch";
    /** A batch body larger than this is refused before parsing: its commands, at most 64, of a few hundred bytes each. */
    public static final int MAX_BODY_BYTES = 256 * 1024;
    /** A command id longer than this is refused (a UUID is 36). */
    public static final int MAX_ID_LENGTH = 200;

    /** One command as the client puts it in a batch. */
    public record Entry(String commandId, Command command, VectorClock requiredClock, String lastReplica) {
    }

    private BatchCodec() {
    }

    public static byte[] encodeCommands(List<Entry> entries) {
        ObjectNode root = FulcrumJson.MAPPER.createObjectNode();
        ArrayNode commands = root.putArray("commands");
        for (Entry e : entries) {
            ObjectNode item = commands.addObject();
            item.put("id", e.commandId());
            CommandCodec.toJson(item, e.command(), e.requiredClock(), e.lastReplica());
        }
        return FulcrumJson.write(root);
    }

    /**
     * The batch's commands in their order, each valid or refused with its reason.
     *
     * @throws InvalidCommandException (BAD_MESSAGE) when the batch itself breaks the format
     */
    public static List<BatchedCommand> decodeCommands(byte[] body) {
        JsonNode root = CommandCodec.readObject(body, MAX_BODY_BYTES, "batch");
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("commands")) {
                throw bad("unknown field '" + name + "' in a batch");
            }
        }
        JsonNode commands = root.get("commands");
        if (commands == null || !commands.isArray() || commands.isEmpty() || commands.size() > BatchedCommand.MAX_PER_BATCH) {
            throw bad("a batch needs a 'commands' array of 1.." + BatchedCommand.MAX_PER_BATCH + " commands");
        }
        List<BatchedCommand> out = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            JsonNode item = commands.get(i);
            if (!item.isObject()) {
                throw bad("command " + i + " of the batch is not a JSON object");
            }
            JsonNode id = item.get("id");
            if (id == null || !id.isTextual() || id.textValue().isBlank() || id.textValue().length() > MAX_ID_LENGTH) {
                throw bad("command " + i + " of the batch has no 'id' (a non-blank string of at most " + MAX_ID_LENGTH + " characters)");
            }
            String commandId = id.textValue();
            try {
                CommandCodec.Envelope envelope = CommandCodec.fromTree(item, null, "id");
                out.add(new BatchedCommand.Valid(commandId, envelope.command(), envelope.requiredClock()));
            } catch (InvalidCommandException e) {
                out.add(new BatchedCommand.Invalid(commandId, e.kind(), e.code(), e.getMessage()));
            }
        }
        return out;
    }

    /** Builds the batch's answer from each reply's encoded body (encoded once: the store keeps the same bytes). */
    public static byte[] encodeReplies(List<String> commandIds, List<byte[]> replyBodies) {
        if (commandIds.size() != replyBodies.size()) {
            throw new IllegalArgumentException(commandIds.size() + " ids for " + replyBodies.size() + " replies");
        }
        int size = 16;
        for (int i = 0; i < commandIds.size(); i++) {
            size += replyBodies.get(i).length + commandIds.get(i).length() + 24;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes("{\"replies\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < commandIds.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes("{\"id\":".getBytes(StandardCharsets.UTF_8));
            out.writeBytes(FulcrumJson.write(commandIds.get(i)));
            out.writeBytes(",\"reply\":".getBytes(StandardCharsets.UTF_8));
            out.writeBytes(replyBodies.get(i));
            out.write('}');
        }
        out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** One answer of a batch's. */
    public record IdentifiedReply(String commandId, Reply reply) {
    }

    /** The answers of a batch; throws IllegalArgumentException with a reason when it is not one. */
    public static List<IdentifiedReply> decodeReplies(byte[] body) {
        JsonNode root;
        try {
            root = FulcrumJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("batch reply is not JSON: " + e.getMessage(), e);
        }
        JsonNode replies = root == null ? null : root.get("replies");
        if (replies == null || !replies.isArray()) {
            throw new IllegalArgumentException("batch reply has no 'replies' array");
        }
        List<IdentifiedReply> out = new ArrayList<>(replies.size());
        for (JsonNode item : replies) {
            JsonNode id = item.get("id");
            if (id == null || !id.isTextual()) {
                throw new IllegalArgumentException("an answer of the batch reply has no 'id'");
            }
            out.add(new IdentifiedReply(id.textValue(), ReplyCodec.fromTree(item.get("reply"))));
        }
        return out;
    }

    private static InvalidCommandException bad(String message) {
        return new InvalidCommandException(ErrorCode.BAD_MESSAGE, message);
    }
}
