package fulcrum.common.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The fields of one record's JSON object, in the order the record is written, and the strict
 * reading of such an object by the hand-written codecs ({@link ReplicaJson}).
 *
 * <p>Reading refuses what {@link FulcrumJson}'s databind reading refuses: a field the record does
 * not have (unless the reader was told to ignore unknown fields), a primitive component that is
 * null or missing, a value of the wrong JSON type. It also refuses, where databind was lax and the
 * canonical writer never writes such input: a field given twice (databind kept the last, or failed,
 * depending on the order); a number as a string ({@code "5"}), a fraction or exponent for a whole
 * number ({@code 5.7}, {@code 1e3}), and a number or boolean for a text. It never descends into a
 * value it does not expect, so junk however deeply nested is refused at its first token.
 */
final class RecordFields {
    private final Class<?> type;
    private final SerializedString[] keys;
    private final String[] names;
    /** Bit i set: component i is a primitive, so it has to be present and not null. */
    private final int primitives;

    private RecordFields(Class<?> type, SerializedString[] keys, int primitives) {
        if (keys.length > Integer.SIZE) {
            throw new IllegalArgumentException(type.getSimpleName() + " has more fields than a bit set holds");
        }
        this.type = type;
        this.keys = keys;
        this.names = Arrays.stream(keys).map(SerializedString::getValue).toArray(String[]::new);
        this.primitives = primitives;
    }

    /** The fields of {@code type}'s object, in the order they are written. */
    static RecordFields of(Class<?> type, SerializedString... keys) {
        return new RecordFields(type, keys.clone(), 0);
    }

    /** These fields hold primitives: refused when null or missing. */
    RecordFields withPrimitives(SerializedString... primitiveKeys) {
        int bits = primitives;
        for (SerializedString key : primitiveKeys) {
            bits |= 1 << indexOf(key.getValue());
        }
        return new RecordFields(type, keys, bits);
    }

    /**
     * Starts reading an object of this record. Jackson hands a deserializer the object's first
     * token, or, where it has read that already, the first field name or the closing brace.
     */
    private Cursor open(JsonParser parser, DeserializationContext ctx) throws IOException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.START_OBJECT && token != JsonToken.FIELD_NAME && token != JsonToken.END_OBJECT) {
            ctx.reportInputMismatch(type, "Cannot deserialize value of type `%s` from %s: an object expected",
                    type.getName(), token);
        }
        return new Cursor(parser, ctx, token != JsonToken.START_OBJECT);
    }

    /**
     * Reads one object of the record with {@code body}, which reads the fields through the cursor
     * and calls the record's canonical constructor. The constructor's refusal (a null where a value
     * is required, a value out of range) comes out as Jackson's, as from databind: the value does
     * not parse.
     */
    <T> T read(JsonParser parser, DeserializationContext ctx, RecordBody<T> body) throws IOException {
        Cursor cursor = open(parser, ctx);
        try {
            return body.read(cursor);
        } catch (RuntimeException refusal) {
            throw ctx.instantiationException(type, refusal);
        }
    }

    /** Reads a record's fields from the cursor and constructs it. */
    @FunctionalInterface
    interface RecordBody<T> {
        T read(Cursor fields) throws IOException;
    }

    /** The index of the field {@code name}, -1 for none; {@code likely} is tried first. */
    private int indexOf(String name, int likely) {
        if (likely < names.length && names[likely] == name) {
            return likely;
        }
        return indexOf(name);
    }

    private int indexOf(String name) {
        for (int i = 0; i < names.length; i++) {
            // Jackson interns the field names it reads, as Java interns these literals: == mostly decides
            if (names[i] == name) {
                return i;
            }
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Reads one object of the record, field by field; each value is read with one of its methods. */
    final class Cursor {
        private final JsonParser parser;
        private final DeserializationContext ctx;
        private boolean atFirstField;
        private int seen;
        private String field;
        private int lastIndex;

        private Cursor(JsonParser parser, DeserializationContext ctx, boolean atFirstField) {
            this.parser = parser;
            this.ctx = ctx;
            this.atFirstField = atFirstField;
        }

        /**
         * The name of the next field, the current token its value's first; null after the closing
         * brace, once every primitive was read. Each field at most once; unknown fields refused.
         */
        String next() throws IOException {
            while (true) {
                String name;
                if (atFirstField) {
                    atFirstField = false;
                    name = parser.currentToken() == JsonToken.FIELD_NAME ? parser.currentName() : null;
                } else {
                    name = parser.nextFieldName();
                }
                if (name == null) {
                    if (parser.currentToken() != JsonToken.END_OBJECT) {
                        // a byte parser refuses this itself; a token buffer may just end
                        ctx.reportInputMismatch(type, "%s object ends without a closing brace", type.getSimpleName());
                    }
                    int missing = primitives & ~seen;
                    if (missing != 0) {
                        String absent = names[Integer.numberOfTrailingZeros(missing)];
                        ctx.reportInputMismatch(type, "Cannot map `null` into type `long`: field '%s' of %s is missing",
                                absent, type.getSimpleName());
                    }
                    return null;
                }
                // the canonical writer writes the fields in order: the one after the last is likely next
                int index = indexOf(name, field == null ? 0 : lastIndex + 1);
                parser.nextToken();
                if (index < 0) {
                    if (ctx.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)) {
                        throw UnrecognizedPropertyException.from(parser, type, name, List.of((Object[]) names));
                    }
                    parser.skipChildren(); // iterative: no depth of junk overflows the stack
                    continue;
                }
                if ((seen & (1 << index)) != 0) {
                    ctx.reportInputMismatch(type, "field '%s' of %s appears twice", name, type.getSimpleName());
                }
                seen |= 1 << index;
                lastIndex = index;
                field = names[index];
                return field;
            }
        }

        /** A text, or null (which the record's constructor refuses where a text is required). */
        String text() throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_STRING) {
                return parser.getText();
            }
            if (token != JsonToken.VALUE_NULL) {
                wrongType("a text");
            }
            return null;
        }

        /** A whole number that fits in a long, for a primitive component: never null. */
        long number() throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT) {
                // a number beyond a long fails here with its own message
                return parser.getLongValue();
            }
            if (token == JsonToken.VALUE_NULL) {
                ctx.reportInputMismatch(type, "Cannot map `null` into type `long`: field '%s' of %s",
                        field, type.getSimpleName());
            }
            wrongType("a whole number");
            return 0;
        }

        /** A whole number that fits in a long, or null. */
        Long optionalNumber() throws IOException {
            return parser.currentToken() == JsonToken.VALUE_NULL ? null : number();
        }

        /** An object read by {@code reader} (its deserializer, or a nested record's), or null. */
        <T> T value(ValueReader<T> reader) throws IOException {
            return parser.currentToken() == JsonToken.VALUE_NULL ? null : reader.read(parser, ctx);
        }

        /** A text that names one of {@code values} by its {@code name()}, or null. */
        <E extends Enum<E>> E constant(Class<E> enumType, E[] values) throws IOException {
            String text = text();
            if (text == null) {
                return null;
            }
            for (E value : values) {
                if (value.name().equals(text)) {
                    return value;
                }
            }
            throw ctx.weirdStringException(text, enumType, "not one of " + Arrays.toString(values));
        }

        private void wrongType(String expected) throws IOException {
            ctx.reportInputMismatch(type, "field '%s' of %s must be %s, not %s", field, type.getSimpleName(),
                    expected, parser.currentToken());
        }
    }

    /** Reads one value, its first token current: a deserializer's {@code deserialize}. */
    @FunctionalInterface
    interface ValueReader<T> {
        T read(JsonParser parser, DeserializationContext ctx) throws IOException;
    }
}
