package fulcrum.store;

import static fulcrum.store.Sample.R1;
import static fulcrum.store.Sample.R2;
import static fulcrum.store.Sample.add;
import static fulcrum.store.Sample.city;
import static fulcrum.store.Sample.clock;
import static fulcrum.store.Sample.list;
import static fulcrum.store.Sample.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.replica.Operation;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.Phase;
import fulcrum.core.store.SnapshotView;
import fulcrum.core.store.StoreBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** What only a store on disk can get wrong: content it cannot trust, locks, read-only access. */
class RocksStoreTest {
    private static final Operation MOS_ESPA = add(R1, 1, "Tatooine", "Mos_Espa", 5, clock(1, 0, 0));
    private static final Operation ECHO_BASE = add(R2, 1, "Hoth", "Echo_Base", 40, clock(0, 1, 0));

    @TempDir
    Path dir;

    private void commitSample() {
        try (RocksStore store = RocksStore.open(dir, R1)) {
            store.commit(new StoreBatch().putPhase(Phase.SERVING).putIncarnation(1)
                    .putClock("Tatooine", MOS_ESPA.clock()).putCity("Tatooine", city(MOS_ESPA))
                    .putClock("Hoth", ECHO_BASE.clock()).putCity("Hoth", city(ECHO_BASE))
                    .putOperation(MOS_ESPA).putOperation(ECHO_BASE)
                    .putCommandRecords(MOS_ESPA.commandId(), List.of(record(MOS_ESPA))).putCommandRecords(ECHO_BASE.commandId(), List.of(record(ECHO_BASE)))
                    .putReply(MOS_ESPA.commandId(), Sample.ok("Tatooine", "Mos_Espa", MOS_ESPA.clock()))
                    .putAppliedSeq(R1, 1).putAppliedSeq(R2, 1));
        }
    }

    /** Writes behind the store's back, as a bug or a damaged disk would. */
    private void raw(Consumer<RocksDB> change) {
        try (Options options = new Options().setCreateIfMissing(true);
             RocksDB db = RocksDB.open(options, dir.toString())) {
            change.accept(db);
        } catch (RocksDBException e) {
            throw new AssertionError(e);
        }
    }

    private static void put(RocksDB db, byte[] key, byte[] value) {
        try {
            db.put(key, value);
        } catch (RocksDBException e) {
            throw new AssertionError(e);
        }
    }

    private static void delete(RocksDB db, byte[] key) {
        try {
            db.delete(key);
        } catch (RocksDBException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aReplyTheShellEncodedIsStoredAsThoseBytesAndOnlyThatObject() {
        fulcrum.core.replica.Reply sent = Sample.ok("Tatooine", "Mos_Espa", MOS_ESPA.clock());
        fulcrum.core.replica.Reply equalButAnother = Sample.ok("Tatooine", "Mos_Espa", MOS_ESPA.clock());
        byte[] canonical = fulcrum.common.wire.ReplyCodec.encode(sent);
        // the same reply, told apart from what the store would write by a leading space
        byte[] encoded = (" " + new String(canonical, java.nio.charset.StandardCharsets.UTF_8))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StoreBatch batch = new StoreBatch().putPhase(Phase.SERVING).putIncarnation(1)
                .putReply("sent", sent).putReply("other", equalButAnother);
        batch.useEncodedReply(sent, encoded);
        try (RocksStore store = RocksStore.open(dir, R1)) {
            store.commit(batch);
            assertThat(store.reply("sent")).isEqualTo(sent);
            assertThat(store.reply("other")).isEqualTo(equalButAnother);
        }
        byte[][] stored = new byte[2][];
        raw(db -> {
            try {
                stored[0] = db.get(Keys.reply("sent"));
                stored[1] = db.get(Keys.reply("other"));
            } catch (RocksDBException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(stored[0]).as("the bytes sent to the client, not encoded again").isEqualTo(encoded);
        assertThat(stored[1]).as("an equal reply the shell did not encode: the store encodes it").isEqualTo(canonical);
    }

    @Test
    void aValueThatDoesNotParseIsRefusedWhenRead() {
        commitSample();
        byte[] whole = Values.city("Tatooine", city(MOS_ESPA));
        raw(db -> put(db, Keys.city("Tatooine", MOS_ESPA.cityId()), java.util.Arrays.copyOf(whole, whole.length - 1)));
        try (RocksStore store = RocksStore.open(dir, R1)) {
            assertThat(store.city("Hoth", ECHO_BASE.cityId())).isEqualTo(city(ECHO_BASE));
            assertThatThrownBy(() -> store.city("Tatooine", MOS_ESPA.cityId()))
                    .isInstanceOf(StoreCorruptedException.class)
                    .hasMessageContaining("city\\0Tatooine\\0fulcrum-1:1").hasMessageContaining("is not a valid city");
            assertThatThrownBy(() -> list(store.planets())).isInstanceOf(StoreCorruptedException.class);
        }
    }

    @Test
    void aCityFiledUnderAnotherIdOrPlanetIsRefused() {
        commitSample();
        raw(db -> {
            put(db, Keys.city("Tatooine", "fulcrum-9:9"), Values.city("Tatooine", city(MOS_ESPA)));
            put(db, Keys.city("Naboo", MOS_ESPA.cityId()), Values.city("Tatooine", city(MOS_ESPA)));
        });
        try (RocksStore store = RocksStore.open(dir, R1)) {
            assertThatThrownBy(() -> store.city("Tatooine", "fulcrum-9:9"))
                    .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("has city id 'fulcrum-1:1'");
            assertThatThrownBy(() -> store.city("Naboo", MOS_ESPA.cityId()))
                    .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("has planet 'Tatooine'");
        }
    }

    @Test
    void anOpOrCommandRecordUnderAnotherKeyOrAStrayClockIsRefused() {
        commitSample();
        raw(db -> {
            put(db, Keys.op(R2, 1), Values.operation(MOS_ESPA));
            put(db, Keys.command("cmd-other"), Values.records(List.of(record(MOS_ESPA))));
            put(db, Keys.command(ECHO_BASE.commandId()), Values.records(List.of(record(ECHO_BASE), record(ECHO_BASE))));
            put(db, Keys.clock("Naboo"), Values.clock("Tatooine", clock(1, 0, 0)));
            put(db, Keys.reply("cmd-bad"), Keys.utf8("{\"ok\":\"yes\"}"));
        });
        try (RocksStore store = RocksStore.open(dir, R1)) {
            assertThatThrownBy(() -> store.operations(R2, 1, 1))
                    .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("has origin 'fulcrum-1'");
            assertThatThrownBy(() -> store.commandRecords("cmd-other"))
                    .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("has command id");
            assertThatThrownBy(() -> store.commandRecords(ECHO_BASE.commandId()))
                    .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("twice");
            assertThatThrownBy(() -> store.planetClock("Naboo"))
                    .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("has planet 'Tatooine'");
            assertThatThrownBy(() -> store.reply("cmd-bad"))
                    .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("is not a reply");
            assertThat(store.operations(R1, 1, 1)).containsExactly(MOS_ESPA);
        }
    }

    @Test
    void aStoreOfAnotherReplicaIsRefused() {
        commitSample();
        assertThatThrownBy(() -> RocksStore.open(dir, R2))
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("belongs to replica 'fulcrum-1'");
        // the refused open released the directory
        try (RocksStore store = RocksStore.open(dir, R1)) {
            assertThat(store.meta().replicaId()).isEqualTo(R1);
        }
    }

    @Test
    void anUnknownFormatIsRefused() {
        commitSample();
        raw(db -> put(db, Keys.FORMAT, Keys.utf8("4")));
        assertThatThrownBy(() -> RocksStore.open(dir, R1))
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("has format '4'");
        assertThatThrownBy(() -> RocksStore.openReadOnly(dir))
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("has format '4'");
    }

    @Test
    void dataWithoutAFormatKeyIsRefused() {
        commitSample();
        raw(db -> delete(db, Keys.FORMAT));
        assertThatThrownBy(() -> RocksStore.open(dir, R1))
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("has data but no meta/format key");
    }

    @Test
    void anUnknownKeyOrAMetaValueThatDoesNotParseIsRefusedAtOpen() {
        commitSample();
        raw(db -> put(db, Keys.utf8("planet/Tatooine"), Keys.utf8("{}")));
        assertThatThrownBy(() -> RocksStore.open(dir, R1))
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("unknown key 'planet/Tatooine'");
        raw(db -> {
            delete(db, Keys.utf8("planet/Tatooine"));
            put(db, Keys.applied(R2), Keys.utf8("one"));
        });
        assertThatThrownBy(() -> RocksStore.open(dir, R1))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("meta\\0applied\\0fulcrum-2").hasMessageContaining("'one'");
        raw(db -> put(db, Keys.PHASE, Keys.utf8("DREAMING")));
        assertThatThrownBy(() -> RocksStore.open(dir, R1))
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("is not a phase");
    }

    @Test
    void metaValuesThatDisagreeAreRefusedAtOpen() {
        commitSample();
        raw(db -> put(db, Keys.PUBLISHED, Values.number(2)));
        assertThatThrownBy(() -> RocksStore.open(dir, R1))
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("meta values that disagree");
    }

    @Test
    void aSecondReadWriteOpenIsRefusedButAReadOnlyOneSeesTheStateAsOfItsOpen() {
        commitSample();
        try (RocksStore store = RocksStore.open(dir, R1)) {
            assertThatThrownBy(() -> RocksStore.open(dir, R1)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot open RocksDB");
            try (ReadOnlyRocksStore reader = RocksStore.openReadOnly(dir)) {
                Operation outpost = add(R1, 2, "Hoth", "Outpost", 1, clock(2, 1, 0));
                store.commit(new StoreBatch().putCity("Hoth", city(outpost)).putOperation(outpost)
                        .putCommandRecords(outpost.commandId(), List.of(record(outpost))).putAppliedSeq(R1, 2));
                assertThat(store.city("Hoth", outpost.cityId())).isEqualTo(city(outpost));

                assertThat(reader.replicaId()).isEqualTo(R1);
                assertThat(reader.meta().applied(R1)).isEqualTo(1);
                assertThat(reader.city("Hoth", outpost.cityId())).isNull();
                assertThat(reader.city("Tatooine", MOS_ESPA.cityId())).isEqualTo(city(MOS_ESPA));
                assertThat(reader.reply(MOS_ESPA.commandId())).isNotNull();
                assertThat(list(reader.allOperations())).containsExactly(MOS_ESPA, ECHO_BASE);
                assertThat(list(reader.allCommandRecords())).extracting(CommandRecord::commandId)
                        .containsExactly(MOS_ESPA.commandId(), ECHO_BASE.commandId());
                assertThat(list(reader.planets())).extracting(p -> p.name()).containsExactly("Hoth", "Tatooine");
                try (SnapshotView view = reader.openSnapshot()) {
                    assertThat(StoreContractTest.readAll(view, 2)).hasSize(6);
                }
            }
            try (ReadOnlyRocksStore later = RocksStore.openReadOnly(dir)) {
                assertThat(later.meta().applied(R1)).isEqualTo(2);
                assertThat(list(later.allOperations())).hasSize(3);
            }
        }
    }

    @Test
    void aReadOnlyOpenOfNothingIsRefused() {
        assertThatThrownBy(() -> RocksStore.openReadOnly(dir.resolve("missing")))
                .isInstanceOf(StoreException.class).hasMessageContaining("no data directory");
        raw(db -> { });
        assertThatThrownBy(() -> RocksStore.openReadOnly(dir))
                .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("is empty");
    }

    @Test
    void streamsReadEveryEntryAcrossPages() {
        int count = Reads.PAGE * 2 + 7;
        try (RocksStore store = RocksStore.open(dir, R1)) {
            StoreBatch batch = new StoreBatch();
            for (int seq = 1; seq <= count; seq++) {
                Operation op = add(R2, seq, "Hoth", "City" + seq, seq, clock(0, seq, 0));
                batch.putOperation(op).putCommandRecords(op.commandId(), List.of(record(op)));
            }
            store.commit(batch.putAppliedSeq(R2, count));
            assertThat(list(store.allOperations())).extracting(Operation::originSeq)
                    .hasSize(count).isSorted().doesNotHaveDuplicates();
            assertThat(list(store.allCommandRecords())).hasSize(count);
            assertThat(store.operations(R2, count - 1, 10)).hasSize(2);
        }
    }

    @Test
    void aCursorOfAnotherSnapshotIsRefusedAndClosingTheStoreClosesItsSnapshots() {
        commitSample();
        RocksStore store = RocksStore.open(dir, R1);
        SnapshotView first = store.openSnapshot();
        String cursor = first.page(null, 1).nextCursor();
        store.commit(new StoreBatch().putClock("Naboo", clock(0, 0, 1)));
        try (SnapshotView second = store.openSnapshot()) {
            assertThatThrownBy(() -> second.page(cursor, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a cursor of this snapshot");
            byte[] own = Base64.getUrlDecoder().decode(second.page(null, 1).nextCursor());
            byte[] reply = Keys.reply(MOS_ESPA.commandId());
            String outside = Base64.getUrlEncoder().encodeToString(
                    ByteBuffer.allocate(Long.BYTES + reply.length).put(own, 0, Long.BYTES).put(reply).array());
            assertThatThrownBy(() -> second.page(outside, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a cursor of this snapshot");
            byte[] city = Keys.city("Tatooine", MOS_ESPA.cityId());
            String inside = Base64.getUrlEncoder().encodeToString(
                    ByteBuffer.allocate(Long.BYTES + city.length).put(own, 0, Long.BYTES).put(city).array());
            assertThat(second.page(inside, 10).commands()).hasSize(2);
        }
        store.close();
        assertThatThrownBy(() -> first.page(cursor, 1)).isInstanceOf(StoreException.class)
                .hasMessageContaining("is closed");
        first.close();
        assertThatThrownBy(() -> store.city("Tatooine", MOS_ESPA.cityId())).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.commit(new StoreBatch().putClock("Naboo", clock(0, 0, 2))))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void aReaderThreadNeverSeesAMetaAheadOfTheDataWhileAnotherThreadCommits() throws Exception {
        int commits = 200;
        try (RocksStore store = RocksStore.open(dir, R1)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong checks = new AtomicLong();
            Thread reader = new Thread(() -> {
                try {
                    long seen = 0;
                    while (seen < commits) {
                        seen = store.meta().applied(R1);
                        if (seen > 0) {
                            assertThat(store.city("Hoth", Operation.cityIdOf(R1, seen))).isNotNull();
                            assertThat(store.operations(R1, seen, 1)).hasSize(1);
                            checks.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            for (int seq = 1; seq <= commits; seq++) {
                Operation op = add(R1, seq, "Hoth", "City" + seq, seq, clock(seq, 0, 0));
                store.commit(new StoreBatch().putClock("Hoth", op.clock()).putCity("Hoth", city(op))
                        .putOperation(op).putAppliedSeq(R1, seq));
            }
            reader.join();
            assertThat(failure.get()).isNull();
            assertThat(checks.get()).isPositive();
            assertThat(store.planetClock("Hoth")).isEqualTo(clock(commits, 0, 0));
        }
    }
}
