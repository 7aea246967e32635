package fulcrum.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WriteRoutingTest {
    private static final List<String> ABC = List.of("A", "B", "C");
    private final WriteRouting routing = new WriteRouting(ABC);

    @Test
    void theLastReplicaFirstThenEveryOtherReplicaOnce() {
        for (int i = 0; i < 100; i++) {
            List<String> order = routing.order("id-" + i, "B");
            assertThat(order).first().isEqualTo("B");
            assertThat(order).containsExactlyInAnyOrderElementsOf(ABC);
        }
    }

    @Test
    void theOrderDependsOnTheMessageAloneSoEveryAttemptAndEveryRouterCopyAgree() {
        WriteRouting anotherRouterCopy = new WriteRouting(List.of("C", "A", "B"));
        for (int i = 0; i < 100; i++) {
            assertThat(routing.order("id-" + i, null)).isEqualTo(anotherRouterCopy.order("id-" + i, null));
            assertThat(routing.order("id-" + i, "A")).isEqualTo(anotherRouterCopy.order("id-" + i, "A"));
        }
    }

    @Test
    void anUnknownLastReplicaIsIgnored() {
        assertThat(routing.order("x", "Z")).isEqualTo(routing.order("x", null));
    }

    @Test
    void newSessionsSpreadEvenly() {
        TreeMap<String, Integer> first = new TreeMap<>();
        for (int i = 0; i < 30_000; i++) {
            first.merge(routing.order(java.util.UUID.nameUUIDFromBytes(("c" + i).getBytes()).toString(), null).get(0),
                    1, Integer::sum);
        }
        assertThat(first).containsOnlyKeys(ABC);
        assertThat(first.values()).allSatisfy(n -> assertThat(n).isBetween(9_500, 10_500));
    }

    @Test
    void addingAReplicaMovesOnlyTheIdsItNowComesFirstFor() {
        WriteRouting four = new WriteRouting(List.of("A", "B", "C", "D"));
        for (int i = 0; i < 1000; i++) {
            List<String> withD = four.order("id-" + i, null);
            List<String> without = routing.order("id-" + i, null);
            assertThat(withD.stream().filter(r -> !r.equals("D")).toList()).isEqualTo(without);
        }
    }
}
