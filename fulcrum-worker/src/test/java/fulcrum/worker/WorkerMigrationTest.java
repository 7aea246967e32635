package fulcrum.worker;

import static fulcrum.worker.WorkerCommandsTest.IDS;
import static fulcrum.worker.WorkerCommandsTest.clock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.testkit.Fixtures;
import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three workers started on copies of three format-1 stores of a real cluster (the store module's
 * fixture: fulcrum-1 compacted its #1..#2, fulcrum-3 refused a command STALE, fulcrum-2's rename
 * #3 was never published). They migrate at start, serve at once, converge (fulcrum-2 publishes its
 * rename), answer re-sent commands from the migrated replies, and a new write at each continues its
 * replica's sequence in the migrated incarnation.
 */
class WorkerMigrationTest {
    private static final String FIXTURE = "fulcrum-store/src/test/resources/format1/format1-fixture.tar.gz";
    private static final String FORMAT_2_FIXTURE = "fulcrum-store/src/test/resources/format2/format2-fixture.tar.gz";

    @TempDir
    Path tmp;

    @Test
    void threeFormatOneStoresMigrateServeConvergeAndNumberOn() throws Exception {
        Fixtures.unpackTarGz(Fixtures.repositoryFile(FIXTURE), tmp);
        Path stores = tmp.resolve("format1-fixture");
        String uri = TestBroker.freshVirtualHost("worker-migration");
        Map<String, TestClient> clients = new HashMap<>();
        List<InProcessWorker> workers = new ArrayList<>();
        try (PeerWire wire = new PeerWire(uri)) {
            for (String id : IDS) {
                clients.put(id, new TestClient(uri, id));
                workers.add(InProcessWorker.start(uri, stores.resolve(id), id));
            }
            for (InProcessWorker w : workers) {
                assertThat(w.stats().phase()).as("%s serves without a join", w.id).isEqualTo(Phase.SERVING);
                assertThat(w.stats().incarnation()).isEqualTo(1);
            }
            wire.awaitConverged(IDS, v -> v.equals(Map.of("fulcrum-1", 3L, "fulcrum-2", 3L, "fulcrum-3", 1L)));
            for (String id : IDS) {
                Reply read = clients.get(id).call(Command.getNumberRebelds("Tatooine", "Mos_Eisley"));
                assertThat(read.rebels()).as(id).isEqualTo(7);
                assertThat(clock(read)).as(id).isEqualTo("[3,2,0]");
            }

            // re-sent commands are answered from the replies format 1 kept, whatever their body now
            TestClient one = clients.get("fulcrum-1");
            assertThat(one.awaitReply(one.send("cmd-1", Command.addCity("Tatooine", "Mos_Espa", 99))).ok()).isTrue();
            assertThat(one.awaitReply(one.send("cmd-7", Command.addCity("Tatooine", "Nowhere", 1))).errorCode())
                    .isEqualTo(ErrorCode.CITY_NOT_FOUND);
            TestClient three = clients.get("fulcrum-3");
            assertThat(three.awaitReply(three.send("cmd-stale", Command.updateNumber("Tatooine", "Mos_Eisley", 1))).errorCode())
                    .isEqualTo(ErrorCode.STALE);

            assertThat(clock(one.awaitReply(one.send("new-1", Command.updateNumber("Tatooine", "Mos_Eisley", 8)))))
                    .isEqualTo("[4,2,0]");
            TestClient two = clients.get("fulcrum-2");
            assertThat(clock(two.awaitReply(two.send("new-2", Command.addCity("Hoth", "Rebel_Base", 3))))).isEqualTo("[0,2,0]");
            assertThat(clock(three.awaitReply(three.send("new-3", Command.addCity("Naboo", "Otoh_Gunga", 2))))).isEqualTo("[0,0,2]");
            wire.awaitConverged(IDS, v -> v.equals(Map.of("fulcrum-1", 4L, "fulcrum-2", 4L, "fulcrum-3", 2L)));

            for (InProcessWorker w : workers) {
                assertThat(w.store.commandRecords("new-1")).as(w.id).extracting(CommandRecord::origin, CommandRecord::originSeq)
                        .containsExactly(tuple("fulcrum-1", 4L));
                assertThat(w.store.commandRecords("new-2")).as(w.id).extracting(CommandRecord::origin, CommandRecord::originSeq,
                        CommandRecord::kind).containsExactly(tuple("fulcrum-2", 4L, OpKind.AddCity));
                assertThat(w.store.commandRecords("new-3")).as(w.id).extracting(CommandRecord::origin, CommandRecord::originSeq)
                        .containsExactly(tuple("fulcrum-3", 2L));
                assertThat(w.store.meta().incarnations()).as("%s: every stream goes on in the migrated incarnation", w.id)
                        .containsOnlyKeys(IDS).allSatisfy((origin, starts) ->
                                assertThat(starts).containsExactly(new IncarnationStart(1, 1)));
            }
        } finally {
            for (TestClient c : clients.values()) {
                c.close();
            }
            workers.forEach(InProcessWorker::close);
        }
        StoppedStores.assertIdentical(IDS.stream().map(stores::resolve).toList(), "applied [4,4,2]\n", "Tatooine clock [4,2,0]\n",
                "Tatooine Mos_Eisley 8\n", "Hoth Rebel_Base 3\n", "Naboo Otoh_Gunga 2\n", "Hoth Echo_Base 40\n",
                "Tatooine Bestine 1\n");
    }

    /**
     * A format-2 store (the store module's fixture: JSON values; fulcrum-1 applied its #1..#4 and
     * compacted #1..#2) migrates to format 3 when its worker starts, serves what it held, answers a
     * re-sent command from its reply, and numbers on: the store is format 3 for the tools afterwards.
     */
    @Test
    void aFormatTwoStoreMigratesServesAndNumbersOn() throws Exception {
        Fixtures.unpackTarGz(Fixtures.repositoryFile(FORMAT_2_FIXTURE), tmp);
        Path store = tmp.resolve("format2-fixture").resolve("fulcrum-1");
        String uri = TestBroker.freshVirtualHost("worker-migration-2");
        try (PeerWire wire = new PeerWire(uri); TestClient one = new TestClient(uri, "fulcrum-1");
             InProcessWorker worker = InProcessWorker.start(uri, store, "fulcrum-1")) {
            assertThat(worker.stats().phase()).isEqualTo(Phase.SERVING);
            Reply read = one.call(Command.getNumberRebelds("Tatooine", "Anchorhead"));
            assertThat(read.rebels()).isEqualTo(5);
            assertThat(clock(read)).isEqualTo("[3,0,2]");
            assertThat(one.call(Command.getNumberRebelds("Hoth", "Echo_Base")).rebels()).isEqualTo(41);
            Reply again = one.awaitReply(one.send("cmd-fulcrum-1-1", Command.addCity("Tatooine", "Mos_Espa", 99)));
            assertThat(again.ok()).isTrue();
            assertThat(clock(again)).as("the reply recorded by the format-2 store").isEqualTo("[1,0,0]");
            assertThat(clock(one.awaitReply(one.send("new-1", Command.updateNumber("Tatooine", "Mos_Eisley", 8)))))
                    .isEqualTo("[4,0,2]");
            assertThat(worker.store.commandRecords("new-1")).extracting(CommandRecord::origin, CommandRecord::originSeq)
                    .containsExactly(tuple("fulcrum-1", 5L));
        }
        try (fulcrum.store.ReadOnlyRocksStore migrated = fulcrum.store.RocksStore.openReadOnly(store)) {
            assertThat(migrated.city("Tatooine", "fulcrum-3:1").rebels().value()).isEqualTo(8);
        }
    }
}
