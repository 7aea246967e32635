package fulcrum.common.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import fulcrum.core.clock.VectorClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON configuration of the project: strict on input (unknown fields fail), canonical on
 * output (map keys sorted, nulls left out) so equal states serialise to identical bytes.
 */
public final class FulcrumJson {
    public static final ObjectMapper MAPPER = databindConfiguration()
            .addModule(new SimpleModule("fulcrum")
                    .addSerializer(VectorClock.class, new ClockSerializer())
                    .addDeserializer(VectorClock.class, new ClockDeserializer()))
            .build();

    private FulcrumJson() {
    }

    /**
     * The mapper's settings without its module of hand-written codecs: what databind alone does
     * with the project's types. Package-private for the tests that compare the two.
     */
    static JsonMapper.Builder databindConfiguration() {
        return JsonMapper.builder()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                // Records serialise their components only: a derived isX() (City.isLive) is not a field.
                .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
                .serializationInclusion(JsonInclude.Include.NON_NULL);
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("stored " + type.getSimpleName() + " does not parse: " + e.getMessage(), e);
        }
    }

    private static final class ClockSerializer extends JsonSerializer<VectorClock> {
        @Override
        public void serialize(VectorClock clock, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            for (Map.Entry<String, Long> e : clock.asMap().entrySet()) {
                gen.writeNumberField(e.getKey(), e.getValue());
            }
            gen.writeEndObject();
        }
    }

    private static final class ClockDeserializer extends JsonDeserializer<VectorClock> {
        /** Resolved once: resolving a TypeReference on every clock showed in the worker's profile. */
        private static final com.fasterxml.jackson.databind.JavaType MAP = com.fasterxml.jackson.databind.type.TypeFactory
                .defaultInstance().constructMapType(TreeMap.class, String.class, Long.class);

        @Override
        public VectorClock deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
            TreeMap<String, Long> map = ctx.readValue(parser, MAP);
            try {
                return VectorClock.of(map);
            } catch (RuntimeException e) {
                throw ctx.weirdStringException(String.valueOf(map), VectorClock.class, e.getMessage());
            }
        }
    }
}
