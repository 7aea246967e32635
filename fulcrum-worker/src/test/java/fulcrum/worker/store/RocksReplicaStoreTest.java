package fulcrum.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.Step;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Real RocksDB in a temporary directory: what is committed survives a reopen, byte for byte. */
class RocksReplicaStoreTest {
    private static final List<String> IDS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");

    @TempDir
    Path dir;

    @Test
    void freshStoreIsEmpty() {
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            assertThat(store.loadState().planets()).isEmpty();
            assertThat(store.loadState().appliedSeq()).isEmpty();
            assertThat(store.countOperations()).isZero();
            assertThat(store.findReply("nope")).isEmpty();
        }
    }

    @Test
    void committedStateSurvivesReopenAndRebuildsTheSameReplica() {
        Replica replica = Replica.fresh("fulcrum-1", IDS);
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            CommitBatch batch = new CommitBatch();
            record(batch, "c1", replica.execute("c1", Command.addCity("Tatooine", "Mos_Espa", 5)));
            record(batch, "c2", replica.execute("c2", Command.updateName("Tatooine", "Mos_Espa", "Mos_Eisley")));
            record(batch, "c3", replica.execute("c3", Command.addCity("Hoth", "Echo_Base", 0)));
            record(batch, "c4", replica.execute("c4", Command.deleteCity("Hoth", "Nowhere")));
            store.commit(batch);
            CommitBatch second = new CommitBatch();
            record(second, "c5", replica.execute("c5", Command.updateNumber("Tatooine", "Mos_Eisley", 7)));
            store.commit(second);
        }
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            StoredState state = store.loadState();
            assertThat(state.planets()).isEqualTo(replica.planets());
            assertThat(state.appliedSeq()).containsExactlyEntriesOf(replica.appliedSeq());
            assertThat(store.countOperations()).isEqualTo(4);
            assertThat(store.listOperations()).extracting(Operation::commandId).containsExactly("c1", "c2", "c3", "c5");
            assertThat(store.operationsAfter("fulcrum-1", 2, 10)).extracting(Operation::originSeq).containsExactly(3L, 4L);
            assertThat(store.operationsAfter("fulcrum-1", 0, 1)).extracting(Operation::originSeq).containsExactly(1L);
            assertThat(store.findReply("c4")).hasValueSatisfying(r -> assertThat(r.errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND));
            assertThat(store.findReply("c5")).hasValueSatisfying(r -> {
                assertThat(r.ok()).isTrue();
                assertThat(r.clock().toString()).isEqualTo("[3,0,0]");
            });
            Replica reloaded = new Replica("fulcrum-1", IDS, state.planets(), state.appliedSeq());
            Step step = reloaded.execute("q", Command.getNumberRebelds("Tatooine", "Mos_Eisley"));
            assertThat(step.reply().rebels()).isEqualTo(7L);
            assertThat(reloaded.execute("c6", Command.addCity("Hoth", "Outpost", 1)).operation().originSeq()).isEqualTo(5);
        }
    }

    @Test
    void refusesAStoreOfAnotherReplica() {
        RocksReplicaStore.open(dir, "fulcrum-1").close();
        assertThatThrownBy(() -> RocksReplicaStore.open(dir, "fulcrum-2"))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("belongs to replica 'fulcrum-1'");
    }

    @Test
    void refusesAValueThatDoesNotParse() throws Exception {
        RocksReplicaStore.open(dir, "fulcrum-1").close();
        rawPut("planet/Tatooine", "{not json");
        assertThatThrownBy(() -> RocksReplicaStore.open(dir, "fulcrum-1"))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("planet/Tatooine");
    }

    @Test
    void refusesAnOpLogThatDisagreesWithTheAppliedSequence() throws Exception {
        Replica replica = Replica.fresh("fulcrum-1", IDS);
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            CommitBatch batch = new CommitBatch();
            record(batch, "c1", replica.execute("c1", Command.addCity("Tatooine", "Mos_Espa", 5)));
            store.commit(batch);
        }
        rawPut("meta/applied/fulcrum-1", "2");
        assertThatThrownBy(() -> RocksReplicaStore.open(dir, "fulcrum-1"))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("applied sequence of fulcrum-1 is 2");
    }

    @Test
    void refusesACorruptDedupRecordWhenRead() throws Exception {
        RocksReplicaStore.open(dir, "fulcrum-1").close();
        rawPut("dedup/c1", "[]");
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            assertThatThrownBy(() -> store.findReply("c1")).isInstanceOf(StoreCorruptedException.class);
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryFailsClearly() {
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            assertThatThrownBy(() -> RocksReplicaStore.open(dir, "fulcrum-1"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot open RocksDB");
        }
    }

    private static void record(CommitBatch batch, String id, Step step) {
        if (step.changedState()) {
            batch.putPlanet(step.planetAfter()).addOperation(step.operation());
        }
        batch.putReply(id, step.reply());
    }

    private void rawPut(String key, String value) throws Exception {
        try (Options options = new Options(); RocksDB db = RocksDB.open(options, dir.toString())) {
            db.put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void compactionKeepsAFloorThatOpenChecksAndThePublishedMarkSurvivesReopen() {
        Replica replica = Replica.fresh("fulcrum-1", IDS);
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            CommitBatch batch = new CommitBatch();
            for (int i = 0; i < 4; i++) {
                record(batch, "c" + i, replica.execute("c" + i, Command.addCity("Hoth", "Base_" + i, i)));
            }
            store.commit(batch);
            store.commit(new CommitBatch().putPublishedUpTo(4));
            store.commit(new CommitBatch().compact("fulcrum-1", 3));
        }
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            assertThat(store.loadState().publishedUpTo()).isEqualTo(4);
            assertThat(store.loadState().compactedUpTo()).containsExactly(java.util.Map.entry("fulcrum-1", 3L));
            assertThat(store.listOperations()).extracting(Operation::originSeq).containsExactly(4L);
            assertThat(store.loadState().planets()).isEqualTo(replica.planets());
        }
        RocksReplicaStore.Snapshot snapshot = RocksReplicaStore.readSnapshot(dir);
        assertThat(snapshot.replicaId()).isEqualTo("fulcrum-1");
        assertThat(snapshot.operations()).extracting(Operation::originSeq).containsExactly(4L);
        assertThat(RocksReplicaStore.canonicalDump(dir, IDS))
                .isEqualTo(fulcrum.core.replication.CanonicalDump.of(replica));
    }

    @Test
    void aCompactionFloorAboveTheAppliedSequenceIsRefusedAtOpen() throws Exception {
        try (RocksReplicaStore store = RocksReplicaStore.open(dir, "fulcrum-1")) {
            store.commit(new CommitBatch().compact("fulcrum-2", 2));
        }
        assertThatThrownBy(() -> RocksReplicaStore.open(dir, "fulcrum-1").close())
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("compaction floor of fulcrum-2");
    }
}
