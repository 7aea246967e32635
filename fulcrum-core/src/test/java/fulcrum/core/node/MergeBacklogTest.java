package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A large backlog of a peer's entries, taken the fast way (no op-log read for an entry above the
 * origin's last held one, held entries applied a run at a time, each entry written to the op log
 * once): applied in order and exactly once, duplicates and contradictions still recognised.
 */
class MergeBacklogTest {
    static final List<String> IDS = List.of("A", "B", "C");
    /** More than three apply runs, and not a multiple of a delta. */
    static final int BACKLOG = 3 * MergePath.APPLY_RUN + 7;
    /** {@link NodeConfig#defaults}' status interval, which {@link TestReplica} runs with. */
    static final long STATUS_INTERVAL_MILLIS = NodeConfig.defaults("C", IDS, 1, 1).statusIntervalMillis();

    static Operation add(long seq, long bClock, String name) {
        return new Operation("B", 1, seq, "Tatooine", OpKind.AddCity, Operation.cityIdOf("B", seq), name, 1L,
                VectorClock.of(Map.of("A", 0L, "B", bClock, "C", 0L)), "b" + seq);
    }

    static List<Delta> deltas(int entries) {
        List<Delta> out = new ArrayList<>();
        for (int from = 1; from <= entries; from += Delta.MAX_OPS) {
            List<Operation> run = new ArrayList<>();
            for (int seq = from; seq < from + Delta.MAX_OPS && seq <= entries; seq++) {
                run.add(add(seq, seq, "X" + seq));
            }
            out.add(new Delta("B", run));
        }
        return out;
    }

    @Test
    void aBacklogArrivingBackwardsIsHeldThenAppliedInOrderEachEntryWrittenOnce() {
        TestReplica c = new TestReplica("C", IDS);
        List<Delta> backwards = new ArrayList<>(deltas(BACKLOG));
        Collections.reverse(backwards);
        long opLogWrites = 0;
        for (Delta d : backwards) {
            Ready ready = c.receive(d);
            opLogWrites += ready.commit().operations().size();
            assertThat(ready.deadLetters()).isEmpty();
            long expectedApplied = d.operations().get(0).originSeq() == 1 ? BACKLOG : 0;
            assertThat(c.applied().getOrDefault("B", 0L)).isEqualTo(expectedApplied);
        }
        assertThat(opLogWrites).as("each entry written to the op log once, when held").isEqualTo(BACKLOG);
        assertThat(c.planets().get("Tatooine").cities()).hasSize(BACKLOG);
        assertThat(c.planets().get("Tatooine").clock().get("B")).isEqualTo(BACKLOG);
        assertThat(c.node().stats().waiting()).isZero();
    }

    @Test
    void theSameBacklogAgainChangesNothing() {
        TestReplica c = new TestReplica("C", IDS);
        deltas(BACKLOG).forEach(c::receive);
        String before = c.dump();
        for (Delta d : deltas(BACKLOG)) {
            Ready ready = c.receive(d);
            assertThat(ready == null || ready.commit().operations().isEmpty()).isTrue();
        }
        assertThat(c.dump()).isEqualTo(before);
        assertThat(c.node().stats().merged()).isEqualTo(BACKLOG);
    }

    @Test
    void anEntryDifferentFromTheOneHeldUnderItsIdIsRefused() {
        TestReplica c = new TestReplica("C", IDS);
        c.receive(new Delta("B", List.of(add(2, 2, "Held")))); // held: its predecessor is missing
        Ready ready = c.receive(new Delta("B", List.of(add(2, 2, "Other"))));
        assertThat(ready.deadLetters()).hasSize(1);
        assertThat(ready.deadLetters().get(0).code()).isEqualTo(ErrorCode.BAD_MESSAGE);
        assertThat(ready.deadLetters().get(0).reason()).contains("differs from the one held");
    }

    @Test
    void anEntryDroppedAtApplyTimeIsTakenAgainWhenSentRight() {
        TestReplica c = new TestReplica("C", IDS);
        c.receive(new Delta("B", List.of(add(1, 2, "Wrong")))); // its clock says B wrote twice: dropped
        assertThat(c.applied().getOrDefault("B", 0L)).isZero();
        assertThat(c.node().stats().rejectedEntries()).isEqualTo(1);

        Ready ready = c.receive(new Delta("B", List.of(add(1, 1, "Right"))));
        assertThat(ready.deadLetters()).isEmpty();
        assertThat(c.applied()).containsEntry("B", 1L);
        assertThat(c.planets().get("Tatooine").cities().values()).extracting(city -> city.name().value())
                .containsExactly("Right");
    }

    static List<ResendRequest> resends(Ready ready) {
        return ready == null ? List.of() : ready.messages().stream().map(Ready.Outbound::message)
                .filter(ResendRequest.class::isInstance).map(ResendRequest.class::cast).toList();
    }

    @Test
    void whatAPeerAnnouncesIsNotAskedForWhileItsEntriesKeepArrivingThenItIs() {
        TestReplica c = new TestReplica("C", IDS);
        c.receive(deltas(1_000).get(0)); // B#1..500: the rest is on its way in the merge queue
        Ready heard = c.receive(MergeTrafficRulesTest.status("B", Map.of("B", 1_000L)));
        assertThat(resends(heard)).as("no resend of what is still arriving").isEmpty();

        Ready quiet = c.advanceTime(STATUS_INTERVAL_MILLIS);
        assertThat(resends(quiet)).as("asked once nothing arrived for a status interval")
                .containsExactly(new ResendRequest("B", 501, "C", "B"));
    }

    @Test
    void whatAPeerAnnouncesIsAskedForAtOnceWhenNothingOfItArrives() {
        TestReplica c = new TestReplica("C", IDS);
        Ready heard = c.receive(MergeTrafficRulesTest.status("B", Map.of("B", 1_000L)));
        assertThat(resends(heard)).containsExactly(new ResendRequest("B", 1, "C", "B"));
    }
}
