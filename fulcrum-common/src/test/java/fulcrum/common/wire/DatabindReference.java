package fulcrum.common.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import fulcrum.core.clock.VectorClock;
import java.util.Map;
import java.util.SortedMap;

/**
 * What plain databind makes of the project's types: {@link FulcrumJson}'s settings without its
 * hand-written codecs, a clock written and read as the sorted map of counts it is. The canonical
 * bytes and the reading that the hand-written codecs must keep.
 */
final class DatabindReference {
    static final ObjectMapper MAPPER = FulcrumJson.databindConfiguration()
            .addMixIn(VectorClock.class, ClockAsSortedMap.class)
            .build();

    private DatabindReference() {
    }

    /** Lends {@link VectorClock} the annotations that make databind treat it as its map. */
    abstract static class ClockAsSortedMap {
        @JsonValue
        abstract SortedMap<String, Long> asMap();

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static VectorClock of(Map<String, Long> entries) {
            throw new AssertionError("a mix-in only lends its annotations");
        }
    }
}
