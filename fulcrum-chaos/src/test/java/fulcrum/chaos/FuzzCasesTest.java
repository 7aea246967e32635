package fulcrum.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fulcrum.chaos.FuzzCases.Case;
import fulcrum.chaos.FuzzCases.Route;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Each forged replica message is what a replica sends, but for the one thing its name says. */
class FuzzCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPERATION_FIELDS = Set.of("origin", "originSeq", "planet", "kind", "cityId", "name",
            "rebels", "clock", "commandId", "incarnation");

    private static Case named(String name) {
        return FuzzCases.ALL.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode body(String name) throws Exception {
        return JSON.readTree(named(name).body());
    }

    private static JsonNode onlyOp(String name) throws Exception {
        JsonNode ops = body(name).get("operations");
        assertThat(ops.size()).as(name).isEqualTo(1);
        return ops.get(0);
    }

    /** The fields in which an operation differs from the valid one. */
    private static Set<String> differences(JsonNode op) throws Exception {
        JsonNode valid = JSON.readTree(FuzzCases.op().json());
        Set<String> out = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = op.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().equals(valid.get(f.getKey()))) {
                out.add(f.getKey());
            }
        }
        return out;
    }

    @Test
    void casesHaveUniqueNamesAndAllMustBeDeadLettered() {
        assertThat(FuzzCases.ALL.stream().map(Case::name).distinct().count()).isEqualTo(FuzzCases.ALL.size());
        assertThat(FuzzCases.ALL).allMatch(Case::deadLettered);
        assertThat(FuzzCases.ALL).extracting(Case::route).contains(Route.COMMAND, Route.MERGE, Route.STATUS);
    }

    @Test
    void theValidOperationHasTheWireFieldsAndAnIncarnation() throws Exception {
        JsonNode op = JSON.readTree(FuzzCases.op().json());
        Set<String> fields = new TreeSet<>();
        op.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).isEqualTo(OPERATION_FIELDS);
        assertThat(op.get("incarnation").asLong()).isEqualTo(1);
        assertThat(op.get("planet").asText()).isEqualTo(FuzzCases.PLANET);
    }

    @Test
    void eachForgedOperationBreaksOneField() throws Exception {
        assertThat(differences(onlyOp("op-clock-entry-max"))).containsExactly("clock");
        assertThat(onlyOp("op-clock-entry-max").get("clock").get("fulcrum-2").asLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(differences(onlyOp("op-clock-unknown-replica"))).containsExactly("clock");
        assertThat(onlyOp("op-city-id-10000").get("cityId").asText()).hasSize(10_000);
        assertThat(differences(onlyOp("op-city-id-10000"))).containsExactly("cityId");
        assertThat(onlyOp("op-command-id-10000").get("commandId").asText()).hasSize(10_000);
        assertThat(differences(onlyOp("op-negative-count"))).containsExactly("rebels");
        assertThat(differences(onlyOp("op-incarnation-0"))).containsExactly("incarnation");
        assertThat(onlyOp("op-incarnation-0").get("incarnation").asLong()).isZero();
        assertThat(body("delta-origin-not-a-replica").get("origin").asText()).isEqualTo("fulcrum-9");
        JsonNode skips = body("delta-sequence-skips").get("operations");
        assertThat(skips.get(0).get("originSeq").asLong()).isEqualTo(5);
        assertThat(skips.get(1).get("originSeq").asLong()).isEqualTo(7);
    }

    @Test
    void theOversizedDeltaIsValidJsonOverOneMebibyte() throws Exception {
        Case big = named("merge-oversized");
        assertThat(big.body().getBytes(StandardCharsets.UTF_8).length).isGreaterThan(FuzzCases.MAX_REPLICA_BODY);
        assertThat(differences(onlyOp("merge-oversized"))).isEmpty();
    }

    @Test
    void malformedAndNonObjectBodiesAreWhatTheySay() throws Exception {
        assertThatThrownBy(() -> JSON.readTree(named("merge-malformed").body())).isInstanceOf(Exception.class);
        assertThat(body("merge-not-an-object").isArray()).isTrue();
        assertThat(named("merge-unknown-type").type()).isNotIn("MergeDelta", "ResendRequest", "MergeNow");
    }

    @Test
    void resendsAndStatusesBreakOneField() throws Exception {
        assertThat(body("resend-from-seq-0").get("fromSeq").asLong()).isZero();
        assertThat(body("resend-unknown-origin").get("origin").asText()).isEqualTo("fulcrum-9");
        assertThat(named("status-unknown-replica").route()).isEqualTo(Route.STATUS);
        assertThat(body("status-unknown-replica").get("replica").asText()).isEqualTo("fulcrum-9");
        JsonNode huge = body("status-applied-10^15");
        assertThat(huge.get("replica").asText()).isIn(List.of("fulcrum-1", "fulcrum-2", "fulcrum-3"));
        assertThat(huge.get("applied").get("fulcrum-1").asLong()).isEqualTo(1_000_000_000_000_000L);
    }
}
