package fulcrum.common.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationContext;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.CommandRecord;
import java.io.IOException;

/**
 * The JSON of an op-log entry and of the record that its command was applied: the fields in the
 * records' component order, absent ones left out, as databind wrote them.
 */
final class OperationJson {
    private static final SerializedString ORIGIN = new SerializedString("origin");
    private static final SerializedString INCARNATION = new SerializedString("incarnation");
    private static final SerializedString ORIGIN_SEQ = new SerializedString("originSeq");
    private static final SerializedString PLANET = new SerializedString("planet");
    private static final SerializedString KIND = new SerializedString("kind");
    private static final SerializedString CITY_ID = new SerializedString("cityId");
    private static final SerializedString NAME = new SerializedString("name");
    private static final SerializedString REBELS = new SerializedString("rebels");
    private static final SerializedString CLOCK = new SerializedString("clock");
    private static final SerializedString COMMAND_ID = new SerializedString("commandId");

    private static final RecordFields OPERATION = RecordFields.of(Operation.class,
            ORIGIN, INCARNATION, ORIGIN_SEQ, PLANET, KIND, CITY_ID, NAME, REBELS, CLOCK, COMMAND_ID)
            .withPrimitives(INCARNATION, ORIGIN_SEQ);
    private static final RecordFields COMMAND_RECORD = RecordFields.of(CommandRecord.class,
            COMMAND_ID, ORIGIN, ORIGIN_SEQ, PLANET, KIND, CLOCK)
            .withPrimitives(ORIGIN_SEQ);

    private static final OpKind[] KINDS = OpKind.values();

    private OperationJson() {
    }

    static void write(Operation op, JsonGenerator gen) throws IOException {
        gen.writeStartObject(op);
        FieldWriter.text(gen, ORIGIN, op.origin());
        FieldWriter.number(gen, INCARNATION, op.incarnation());
        FieldWriter.number(gen, ORIGIN_SEQ, op.originSeq());
        FieldWriter.text(gen, PLANET, op.planet());
        FieldWriter.text(gen, KIND, op.kind().name()); // as databind writes an enum
        FieldWriter.optional(gen, CITY_ID, op.cityId(), FieldWriter.TEXT);
        FieldWriter.optional(gen, NAME, op.name(), FieldWriter.TEXT);
        FieldWriter.optional(gen, REBELS, op.rebels(), FieldWriter.NUMBER);
        FieldWriter.value(gen, CLOCK, op.clock(), ClockJson::write);
        FieldWriter.text(gen, COMMAND_ID, op.commandId());
        gen.writeEndObject();
    }

    static Operation readOperation(JsonParser parser, DeserializationContext ctx) throws IOException {
        return OPERATION.read(parser, ctx, in -> {
            String origin = null;
            long incarnation = 0;
            long originSeq = 0;
            String planet = null;
            OpKind kind = null;
            String cityId = null;
            String name = null;
            Long rebels = null;
            VectorClock clock = null;
            String commandId = null;
            for (String field = in.next(); field != null; field = in.next()) {
                switch (field) {
                    case "origin" -> origin = in.text();
                    case "incarnation" -> incarnation = in.number();
                    case "originSeq" -> originSeq = in.number();
                    case "planet" -> planet = in.text();
                    case "kind" -> kind = in.constant(OpKind.class, KINDS);
                    case "cityId" -> cityId = in.text();
                    case "name" -> name = in.text();
                    case "rebels" -> rebels = in.optionalNumber();
                    case "clock" -> clock = in.value(ClockJson::read);
                    case "commandId" -> commandId = in.text();
                    default -> throw new AssertionError(field);
                }
            }
            return new Operation(origin, incarnation, originSeq, planet, kind, cityId, name, rebels, clock, commandId);
        });
    }

    static void write(CommandRecord record, JsonGenerator gen) throws IOException {
        gen.writeStartObject(record);
        FieldWriter.text(gen, COMMAND_ID, record.commandId());
        FieldWriter.text(gen, ORIGIN, record.origin());
        FieldWriter.number(gen, ORIGIN_SEQ, record.originSeq());
        FieldWriter.text(gen, PLANET, record.planet());
        FieldWriter.text(gen, KIND, record.kind().name());
        FieldWriter.value(gen, CLOCK, record.clock(), ClockJson::write);
        gen.writeEndObject();
    }

    static CommandRecord readCommandRecord(JsonParser parser, DeserializationContext ctx) throws IOException {
        return COMMAND_RECORD.read(parser, ctx, in -> {
            String commandId = null;
            String origin = null;
            long originSeq = 0;
            String planet = null;
            OpKind kind = null;
            VectorClock clock = null;
            for (String field = in.next(); field != null; field = in.next()) {
                switch (field) {
                    case "commandId" -> commandId = in.text();
                    case "origin" -> origin = in.text();
                    case "originSeq" -> originSeq = in.number();
                    case "planet" -> planet = in.text();
                    case "kind" -> kind = in.constant(OpKind.class, KINDS);
                    case "clock" -> clock = in.value(ClockJson::read);
                    default -> throw new AssertionError(field);
                }
            }
            return new CommandRecord(commandId, origin, originSeq, planet, kind, clock);
        });
    }
}
