package fulcrum.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.replica.City;
import fulcrum.core.replica.ConflictKind;
import fulcrum.core.replica.MergeStep;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.ResendRequest;
import fulcrum.core.replica.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One test per row of the conflict table in {@link Replica#applyRemote(java.util.Collection)}. */
class ConflictTableTest {
    static final List<String> IDS = List.of("A", "B", "C");
    Replica a;
    Replica b;
    Replica c;
    final List<Operation> logA = new ArrayList<>();
    final List<Operation> logB = new ArrayList<>();
    int commandNo;

    @BeforeEach
    void fresh() {
        a = Replica.fresh("A", IDS);
        b = Replica.fresh("B", IDS);
        c = Replica.fresh("C", IDS);
    }

    Operation run(Replica r, Command command) {
        Step step = r.execute("cmd-" + commandNo++, command);
        assertThat(step.reply().ok()).as(step.reply().toString()).isTrue();
        (r == a ? logA : logB).add(step.operation());
        return step.operation();
    }

    /** Every replica gets every operation of A and B (C in the order B then A). */
    void exchange() {
        b.applyRemote(logA);
        a.applyRemote(logB);
        c.applyRemote(logB);
        c.applyRemote(logA);
        assertThat(CanonicalDump.of(b)).isEqualTo(CanonicalDump.of(a)).isEqualTo(CanonicalDump.of(c));
    }

    Planet tatooine(Replica r) {
        return r.planets().get("Tatooine");
    }

    long rebels(Replica r, String city) {
        return tatooine(r).findByName(city).orElseThrow().rebels().value();
    }

    void synced() {
        exchange();
    }

    @Test
    void concurrentAddCityOfOneNameKeepsBothAndShowsTheFirstByStamp() {
        run(a, Command.addCity("Tatooine", "MosEisley", 5));
        run(b, Command.addCity("Tatooine", "MosEisley", 7));
        exchange();
        for (Replica r : List.of(a, b, c)) {
            assertThat(tatooine(r).cities()).hasSize(2);
            assertThat(rebels(r, "MosEisley")).isEqualTo(5); // stamp (1,A) < (1,B)
        }
        assertThat(a.conflicts().get(ConflictKind.ADD_NAME_COLLISION)).isEqualTo(1);
        assertThat(b.conflicts().get(ConflictKind.ADD_NAME_COLLISION)).isEqualTo(1);
        assertThat(c.conflicts().get(ConflictKind.ADD_NAME_COLLISION)).isEqualTo(1);
        assertThat(CanonicalDump.of(c)).isEqualTo("""
                fulcrum-dump 1
                replicas A B C
                applied [1,1,0]
                == visible
                Tatooine clock [1,1,0]
                Tatooine MosEisley 5
                == stored
                Tatooine B:1 hidden name=MosEisley@1:B rebels=7@1:B created=1:B
                """);
        // the hidden city reappears when the visible one is deleted
        run(a, Command.deleteCity("Tatooine", "MosEisley"));
        exchange();
        assertThat(rebels(c, "MosEisley")).isEqualTo(7);
    }

    @Test
    void concurrentUpdateNumberHigherStampWins() {
        run(a, Command.addCity("Tatooine", "MosEisley", 5));
        synced();
        run(a, Command.updateNumber("Tatooine", "MosEisley", 10)); // clock [2,0,0] stamp (2,A)
        run(b, Command.updateNumber("Tatooine", "MosEisley", 20)); // clock [1,1,0] stamp (2,B)
        exchange();
        for (Replica r : List.of(a, b, c)) {
            assertThat(rebels(r, "MosEisley")).isEqualTo(20);
        }
        assertThat(a.conflicts().get(ConflictKind.NUMBER_OVERRIDDEN)).isEqualTo(1);
        assertThat(b.conflicts().get(ConflictKind.NUMBER_LOST)).isEqualTo(1);
        assertThat(c.conflicts().get(ConflictKind.NUMBER_LOST)).isEqualTo(1); // C got B's first
    }

    @Test
    void causallyLaterUpdateIsNotAConflict() {
        run(a, Command.addCity("Tatooine", "MosEisley", 5));
        synced();
        run(b, Command.updateNumber("Tatooine", "MosEisley", 20));
        exchange();
        assertThat(rebels(a, "MosEisley")).isEqualTo(20);
        assertThat(a.conflicts().values()).allMatch(v -> v == 0);
        assertThat(c.conflicts().values()).allMatch(v -> v == 0);
    }

    @Test
    void concurrentRenameAndUpdateNumberBothSurvive() {
        run(a, Command.addCity("Tatooine", "MosEisley", 5));
        synced();
        run(a, Command.updateName("Tatooine", "MosEisley", "Anchorhead"));
        run(b, Command.updateNumber("Tatooine", "MosEisley", 9));
        exchange();
        for (Replica r : List.of(a, b, c)) {
            assertThat(tatooine(r).findByName("MosEisley")).isEmpty();
            assertThat(rebels(r, "Anchorhead")).isEqualTo(9);
        }
    }

    @Test
    void updateVersusDeleteDeleteWins() {
        run(a, Command.addCity("Tatooine", "MosEisley", 5));
        synced();
        run(a, Command.deleteCity("Tatooine", "MosEisley"));
        run(b, Command.updateNumber("Tatooine", "MosEisley", 9));
        run(b, Command.updateName("Tatooine", "MosEisley", "Anchorhead"));
        exchange();
        for (Replica r : List.of(a, b, c)) {
            assertThat(tatooine(r).visibleByName()).isEmpty();
            City tombstone = tatooine(r).cities().values().iterator().next();
            assertThat(tombstone.deletedAt()).isNotNull();
        }
        assertThat(a.conflicts().get(ConflictKind.UPDATE_AFTER_DELETE)).isEqualTo(2);
        assertThat(b.conflicts().get(ConflictKind.DELETE_OVER_UPDATE)).isEqualTo(1);
        assertThat(CanonicalDump.of(a)).contains("Tatooine A:1 deleted name=Anchorhead@3:B rebels=9@2:B");
    }

    @Test
    void concurrentDeletes() {
        run(a, Command.addCity("Tatooine", "MosEisley", 5));
        synced();
        run(a, Command.deleteCity("Tatooine", "MosEisley"));
        run(b, Command.deleteCity("Tatooine", "MosEisley"));
        exchange();
        assertThat(a.conflicts().get(ConflictKind.CONCURRENT_DELETE)).isEqualTo(1);
        assertThat(tatooine(a).visibleByName()).isEmpty();
    }

    @Test
    void renameCollisionFollowsTheAddCityRule() {
        run(a, Command.addCity("Tatooine", "MosEisley", 1)); // created (1,A)
        run(a, Command.addCity("Tatooine", "Anchorhead", 2)); // created (2,A)
        synced();
        run(a, Command.updateName("Tatooine", "Anchorhead", "Bestine"));
        run(b, Command.updateName("Tatooine", "MosEisley", "Bestine"));
        exchange();
        for (Replica r : List.of(a, b, c)) {
            assertThat(tatooine(r).visibleByName().keySet()).containsExactly("Bestine");
            assertThat(rebels(r, "Bestine")).isEqualTo(1); // MosEisley's city is older
            assertThat(tatooine(r).cities()).hasSize(2);
        }
        assertThat(a.conflicts().get(ConflictKind.RENAME_COLLISION)).isEqualTo(1);
        assertThat(b.conflicts().get(ConflictKind.RENAME_COLLISION)).isEqualTo(1);
    }

    @Test
    void concurrentRenamesOfOneCityHigherStampWins() {
        run(a, Command.addCity("Tatooine", "MosEisley", 1));
        synced();
        run(a, Command.updateName("Tatooine", "MosEisley", "Bestine"));
        run(b, Command.updateName("Tatooine", "MosEisley", "Anchorhead"));
        exchange();
        assertThat(tatooine(c).visibleByName().keySet()).containsExactly("Anchorhead");
        assertThat(a.conflicts().get(ConflictKind.NAME_OVERRIDDEN)).isEqualTo(1);
        assertThat(b.conflicts().get(ConflictKind.NAME_LOST)).isEqualTo(1);
    }

    // -------------------------------------------------------------------- delivery rules ----

    @Test
    void duplicatesAreNoOpsAndGapsAreBufferedAndReported() {
        Operation a1 = run(a, Command.addCity("Tatooine", "MosEisley", 1));
        Operation a2 = run(a, Command.updateNumber("Tatooine", "MosEisley", 2));
        Operation a3 = run(a, Command.updateNumber("Tatooine", "MosEisley", 3));

        MergeStep gap = c.applyRemote(a3);
        assertThat(gap.changedState()).isFalse();
        assertThat(gap.buffered()).isEqualTo(1);
        assertThat(gap.resendRequests()).containsExactly(new ResendRequest("A", 1));
        assertThat(c.appliedSeq("A")).isZero();
        assertThat(c.planets()).isEmpty();

        MergeStep first = c.applyRemote(a1);
        assertThat(first.applied()).containsExactly(a1);
        assertThat(first.resendRequests()).containsExactly(new ResendRequest("A", 2));

        MergeStep rest = c.applyRemote(List.of(a2, a2, a1));
        assertThat(rest.applied()).containsExactly(a2, a3);
        assertThat(rest.duplicates()).isEqualTo(2);
        assertThat(rest.appliedSeqToPersist()).isEqualTo(Map.of("A", 3L));
        assertThat(rest.planetsToPersist().get("Tatooine")).isEqualTo(tatooine(a));
        assertThat(rest.resendRequests()).isEmpty();
        assertThat(c.pendingCount()).isZero();

        MergeStep again = c.applyRemote(logA);
        assertThat(again.changedState()).isFalse();
        assertThat(again.duplicates()).isEqualTo(3);
    }

    @Test
    void anOperationWaitsForItsCausalPredecessorsOfOtherOrigins() {
        run(a, Command.addCity("Tatooine", "MosEisley", 1));
        b.applyRemote(logA);
        Operation b1 = run(b, Command.updateNumber("Tatooine", "MosEisley", 9));

        MergeStep early = c.applyRemote(b1); // next of B, but it has seen A#1 and C has not
        assertThat(early.changedState()).isFalse();
        assertThat(early.resendRequests()).containsExactly(new ResendRequest("A", 1));
        assertThat(c.clockOf("Tatooine").sum()).isZero(); // no clock promising a write C lacks

        MergeStep late = c.applyRemote(logA);
        assertThat(late.applied()).extracting(Operation::origin).containsExactly("A", "B");
        assertThat(rebels(c, "MosEisley")).isEqualTo(9);
    }

    @Test
    void theBufferIsBoundedAndADropIsReported() {
        Replica small = new Replica("C", IDS, Map.of(), Map.of(), 2);
        for (int i = 0; i < 5; i++) {
            run(a, Command.addCity("Tatooine", "City" + i, i));
        }
        MergeStep step = small.applyRemote(List.of(logA.get(4), logA.get(3), logA.get(2), logA.get(1)));
        assertThat(small.pendingCount()).isEqualTo(2);
        assertThat(step.dropped()).isEqualTo(2);
        assertThat(step.resendRequests()).containsExactly(new ResendRequest("A", 1));
        MergeStep rest = small.applyRemote(OpLogs.answer(step.resendRequests().get(0), logA, 10));
        assertThat(rest.applied()).hasSize(5);
        assertThat(small.planets()).isEqualTo(a.planets());
    }

    @Test
    void announcementsRevealGapsNothingElseWouldShow() {
        run(a, Command.addCity("Tatooine", "MosEisley", 1));
        run(a, Command.addCity("Tatooine", "Anchorhead", 1));
        assertThat(c.resendRequestsFor(a.appliedSeq())).containsExactly(new ResendRequest("A", 1));
        c.applyRemote(logA.get(0));
        assertThat(c.resendRequestsFor(a.appliedSeq())).containsExactly(new ResendRequest("A", 2));
        c.applyRemote(logA.get(1));
        assertThat(c.resendRequestsFor(a.appliedSeq())).isEmpty();
    }

    @Test
    void opLogHelpers() {
        for (int i = 0; i < 4; i++) {
            run(a, Command.addCity("Tatooine", "City" + i, i));
        }
        assertThat(OpLogs.operationsToPublish(logA, "A", 3, 10)).extracting(Operation::originSeq).containsExactly(3L, 4L);
        assertThat(OpLogs.operationsToPublish(logA, "A", 1, 2)).extracting(Operation::originSeq).containsExactly(1L, 2L);
        assertThat(OpLogs.operationsToPublish(logA, "B", 1, 10)).isEmpty();
        Map<String, Map<String, Long>> announced = Map.of(
                "A", Map.of("A", 4L), "B", Map.of("A", 3L, "B", 7L), "C", Map.of("A", 2L));
        assertThat(OpLogs.compactableUpTo("A", IDS, announced)).isEqualTo(2);
        assertThat(OpLogs.compactableUpTo("B", IDS, announced)).isZero();
        assertThat(OpLogs.compactableUpTo("A", IDS, Map.of("A", Map.of("A", 4L)))).isZero();
    }

    @Test
    void restartFromPersistedStateContinuesTheSequence() {
        run(a, Command.addCity("Tatooine", "MosEisley", 1));
        Replica restarted = new Replica("A", IDS, a.planets(), a.appliedSeq());
        Step step = restarted.execute("x", Command.updateNumber("Tatooine", "MosEisley", 3));
        assertThat(step.operation().originSeq()).isEqualTo(2);
        assertThat(CanonicalDump.of(restarted)).contains("Tatooine MosEisley 3\n");
    }
}
