package fulcrum.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.node.TestReplica;
import fulcrum.core.replica.City;
import fulcrum.core.replica.ConflictKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One test per row of the conflict table (see {@code EntryApplier}), on the production replica node. */
class ConflictTableTest {
    static final List<String> IDS = List.of("A", "B", "C");
    TestReplica a;
    TestReplica b;
    TestReplica c;
    final List<Operation> logA = new ArrayList<>();
    final List<Operation> logB = new ArrayList<>();
    int commandNo;

    @BeforeEach
    void fresh() {
        a = new TestReplica("A", IDS);
        b = new TestReplica("B", IDS);
        c = new TestReplica("C", IDS);
    }

    Operation run(TestReplica r, Command command) {
        Reply reply = r.execute("cmd-" + commandNo++, command);
        assertThat(reply.ok()).as(reply.toString()).isTrue();
        (r == a ? logA : logB).add(r.lastEntry());
        return r.lastEntry();
    }

    /** Every replica gets every operation of A and B (C in the order B then A). */
    void exchange() {
        b.merge(logA);
        a.merge(logB);
        c.merge(logB);
        c.merge(logA);
        assertThat(b.dump()).isEqualTo(a.dump()).isEqualTo(c.dump());
    }

    Planet tatooine(TestReplica r) {
        return r.planets().get("Tatooine");
    }

    long rebels(TestReplica r, String city) {
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
        for (TestReplica r : List.of(a, b, c)) {
            assertThat(tatooine(r).cities()).hasSize(2);
            assertThat(rebels(r, "MosEisley")).isEqualTo(5); // stamp (1,A) < (1,B)
        }
        assertThat(a.conflicts().get(ConflictKind.ADD_NAME_COLLISION)).isEqualTo(1);
        assertThat(b.conflicts().get(ConflictKind.ADD_NAME_COLLISION)).isEqualTo(1);
        assertThat(c.conflicts().get(ConflictKind.ADD_NAME_COLLISION)).isEqualTo(1);
        assertThat(c.dump()).isEqualTo("""
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
        for (TestReplica r : List.of(a, b, c)) {
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
        for (TestReplica r : List.of(a, b, c)) {
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
        for (TestReplica r : List.of(a, b, c)) {
            assertThat(tatooine(r).visibleByName()).isEmpty();
            City tombstone = tatooine(r).cities().values().iterator().next();
            assertThat(tombstone.deletedAt()).isNotNull();
        }
        assertThat(a.conflicts().get(ConflictKind.UPDATE_AFTER_DELETE)).isEqualTo(2);
        assertThat(b.conflicts().get(ConflictKind.DELETE_OVER_UPDATE)).isEqualTo(1);
        assertThat(a.dump()).contains("Tatooine A:1 deleted name=Anchorhead@3:B rebels=9@2:B");
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
        for (TestReplica r : List.of(a, b, c)) {
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
}
