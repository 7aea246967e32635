package fulcrum.common.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationContext;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.store.PlanetClock;
import java.io.IOException;
import java.util.TreeMap;

/**
 * The JSON of a vector clock, an object of replica id to count in id order, and of a planet's
 * clock as stored. Read strictly: each count a whole number from 0 to {@link Long#MAX_VALUE}, no
 * replica twice (databind coerced {@code "5"} and {@code 1.5} and kept the last of a repeated id).
 */
final class ClockJson {
    private static final SerializedString PLANET = new SerializedString("planet");
    private static final SerializedString CLOCK = new SerializedString("clock");
    private static final RecordFields PLANET_CLOCK = RecordFields.of(PlanetClock.class, PLANET, CLOCK);

    private ClockJson() {
    }

    static void write(VectorClock clock, JsonGenerator gen) throws IOException {
        gen.writeStartObject(clock);
        for (int i = 0; i < clock.size(); i++) {
            gen.writeFieldName(clock.idAt(i));
            gen.writeNumber(clock.countAt(i));
        }
        gen.writeEndObject();
    }

    static VectorClock read(JsonParser parser, DeserializationContext ctx) throws IOException {
        JsonToken first = parser.currentToken();
        String replica;
        // Jackson hands the object's first token, or, where it has read that, its first field or its end
        if (first == JsonToken.START_OBJECT) {
            replica = parser.nextFieldName();
        } else if (first == JsonToken.FIELD_NAME) {
            replica = parser.currentName();
        } else if (first == JsonToken.END_OBJECT) {
            replica = null;
        } else {
            throw ctx.wrongTokenException(parser, VectorClock.class, JsonToken.START_OBJECT,
                    "a clock is an object of replica id to count");
        }
        TreeMap<String, Long> counts = new TreeMap<>();
        for (; replica != null; replica = parser.nextFieldName()) {
            if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                ctx.reportInputMismatch(VectorClock.class, "clock entry of %s must be a whole number, not %s", replica,
                        parser.currentToken());
            }
            long count = parser.getLongValue();
            if (count < 0) {
                throw ctx.weirdNumberException(count, VectorClock.class, "clock entry of " + replica + " is negative");
            }
            if (counts.put(replica, count) != null) {
                ctx.reportInputMismatch(VectorClock.class, "clock entry of %s appears twice", replica);
            }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            ctx.reportInputMismatch(VectorClock.class, "a clock ends without a closing brace");
        }
        try {
            return VectorClock.of(counts);
        } catch (RuntimeException refusal) {
            throw ctx.instantiationException(VectorClock.class, refusal);
        }
    }

    static void write(PlanetClock value, JsonGenerator gen) throws IOException {
        gen.writeStartObject(value);
        FieldWriter.text(gen, PLANET, value.planet());
        FieldWriter.value(gen, CLOCK, value.clock(), ClockJson::write);
        gen.writeEndObject();
    }

    static PlanetClock readPlanetClock(JsonParser parser, DeserializationContext ctx) throws IOException {
        return PLANET_CLOCK.read(parser, ctx, in -> {
            String planet = null;
            VectorClock clock = null;
            for (String field = in.next(); field != null; field = in.next()) {
                switch (field) {
                    case "planet" -> planet = in.text();
                    case "clock" -> clock = in.value(ClockJson::read);
                    default -> throw new AssertionError(field);
                }
            }
            return new PlanetClock(planet, clock);
        });
    }
}
