package fulcrum.common.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;

/**
 * Writes one field of a record's JSON object: its name, pre-encoded, then its value. The optional
 * forms leave a null out, as the canonical form ({@code NON_NULL}) does.
 */
final class FieldWriter {
    private FieldWriter() {
    }

    /** Writes one value, whole, to the generator. */
    @FunctionalInterface
    interface ValueWriter<T> {
        void write(T value, JsonGenerator gen) throws IOException;
    }

    static final ValueWriter<String> TEXT = (text, gen) -> gen.writeString(text);
    static final ValueWriter<Long> NUMBER = (number, gen) -> gen.writeNumber(number.longValue());

    static void text(JsonGenerator gen, SerializableString key, String value) throws IOException {
        gen.writeFieldName(key);
        gen.writeString(value);
    }

    static void number(JsonGenerator gen, SerializableString key, long value) throws IOException {
        gen.writeFieldName(key);
        gen.writeNumber(value);
    }

    static <T> void value(JsonGenerator gen, SerializableString key, T value, ValueWriter<T> writer) throws IOException {
        gen.writeFieldName(key);
        writer.write(value, gen);
    }

    /** The field, unless its value is null. */
    static <T> void optional(JsonGenerator gen, SerializableString key, T value, ValueWriter<T> writer) throws IOException {
        if (value != null) {
            value(gen, key, value, writer);
        }
    }
}
