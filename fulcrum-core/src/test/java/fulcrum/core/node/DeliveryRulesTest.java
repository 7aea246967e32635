package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.replica.Operation;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a replica takes its peers' entries: held at once, applied in order and causally, exactly once. */
class DeliveryRulesTest {
    static final List<String> IDS = List.of("A", "B", "C");
    TestReplica a;
    TestReplica b;
    TestReplica c;

    @BeforeEach
    void replicas() {
        a = new TestReplica("A", IDS);
        b = new TestReplica("B", IDS);
        c = new TestReplica("C", IDS);
    }

    private Operation run(TestReplica r, Command command) {
        assertThat(r.execute("cmd-" + r.id() + r.store().allOperations().size(), command).ok()).isTrue();
        return r.lastEntry();
    }

    private static List<ResendRequest> requests(Ready ready) {
        return ready.messages().stream().filter(m -> m.message() instanceof ResendRequest)
                .map(m -> (ResendRequest) m.message()).toList();
    }

    @Test
    void aGapIsHeldDurablyAskedForAndClosedByTheResend() {
        Operation a1 = run(a, Command.addCity("Tatooine", "MosEisley", 1));
        Operation a2 = run(a, Command.updateNumber("Tatooine", "MosEisley", 2));
        Operation a3 = run(a, Command.updateNumber("Tatooine", "MosEisley", 3));

        Ready gap = c.receive(new Delta("A", List.of(a3)));
        assertThat(c.applied()).doesNotContainKey("A");
        assertThat(c.store().operations("A", 1, 10)).as("held in the op log with the ack").containsExactly(a3);
        assertThat(requests(gap)).containsExactly(new ResendRequest("A", 1, "C", "A"));

        c.receive(new Delta("A", List.of(a1, a2)));
        assertThat(c.applied()).containsEntry("A", 3L);
        assertThat(c.dump()).isEqualTo(a.dump());
    }

    @Test
    void duplicatesAreNoOps() {
        Operation a1 = run(a, Command.addCity("Tatooine", "MosEisley", 1));
        c.receive(new Delta("A", List.of(a1)));
        String once = c.dump();
        Ready again = c.receive(new Delta("A", List.of(a1)));
        assertThat(c.dump()).isEqualTo(once);
        assertThat(again.commit().operations()).isEmpty();
        assertThat(again.acks()).hasSize(1);
    }

    @Test
    void anEntryWaitsForTheWritesOnItsPlanetThatItsOriginHadSeen() {
        run(a, Command.addCity("Tatooine", "MosEisley", 1));
        b.merge(a.store().allOperations());
        Operation b1 = run(b, Command.updateNumber("Tatooine", "MosEisley", 9));

        Ready early = c.receive(new Delta("B", List.of(b1)));
        assertThat(c.applied()).doesNotContainKey("B");
        assertThat(c.node().clockOf("Tatooine").sum()).as("no clock promising a write C lacks").isZero();
        assertThat(requests(early)).extracting(ResendRequest::origin).containsExactly("A");

        c.merge(a.store().allOperations());
        assertThat(c.applied()).containsEntry("A", 1L).containsEntry("B", 1L);
        assertThat(c.planets().get("Tatooine").findByName("MosEisley").orElseThrow().rebels().value()).isEqualTo(9);
    }

    @Test
    void heldEntriesSurviveARestartAndAreAppliedAfterIt() {
        Operation a1 = run(a, Command.addCity("Tatooine", "MosEisley", 1));
        Operation a2 = run(a, Command.updateNumber("Tatooine", "MosEisley", 2));
        c.receive(new Delta("A", List.of(a2)));
        TestReplica restarted = TestReplica.restart(c);
        restarted.receive(new Delta("A", List.of(a1)));
        assertThat(restarted.applied()).containsEntry("A", 2L);
    }
}
