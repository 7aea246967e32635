package fulcrum.common.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON configuration of the project: strict on input (unknown fields fail), canonical on
 * output (map keys sorted, nulls left out) so equal states serialise to identical bytes. The
 * values a replica stores and ships most go through hand-written streaming codecs
 * ({@link ReplicaJson}) that write databind's very bytes, faster.
 */
public final class FulcrumJson {
    public static final ObjectMapper MAPPER = databindConfiguration()
            .addModule(ReplicaJson.module())
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
}
