package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    @Test
    void requestsNameOnlyCitiesTheStoreHoldsAndSpreadOverAllOfThem() {
        Workload w = new Workload(3, 5);
        assertThat(w.planets()).containsOnlyKeys("P0", "P1", "P2").allSatisfy((planet, cities) -> assertThat(cities).isEqualTo(5));
        Set<String> seen = new HashSet<>();
        for (long n = 0; n < 2_000; n++) {
            Command write = w.writes().apply(n);
            assertThat(write.kind()).isEqualTo(CommandKind.UpdateNumber);
            assertThat(w.planets()).containsKey(write.planet());
            assertThat(Integer.parseInt(write.city().substring(1))).isBetween(0, 4);
            seen.add(write.planet() + "/" + write.city());
        }
        assertThat(seen).hasSize(15);
    }

    @Test
    void requestNIsAlwaysTheSameCity() {
        Workload w = new Workload(10, 1000);
        assertThat(w.queries().apply(42)).isEqualTo(w.queries().apply(42));
        assertThat(w.queries().apply(42).kind()).isEqualTo(CommandKind.GetNumberRebelds);
        assertThat(w.queries().apply(42).city()).isEqualTo(w.writes().apply(42).city());
    }

    @Test
    void writesToOnePlanetStayOnIt() {
        for (long n = 0; n < 500; n++) {
            Command c = Workload.writesTo("Size100", 100).apply(n);
            assertThat(c.planet()).isEqualTo("Size100");
            assertThat(Integer.parseInt(c.city().substring(1))).isBetween(0, 99);
        }
    }

    @Test
    void anEmptyWorkloadIsRefused() {
        assertThatThrownBy(() -> new Workload(0, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
