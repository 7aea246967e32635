package fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.admin.StatusCommandTest.Run;
import fulcrum.common.topology.Topology;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.Step;
import fulcrum.worker.store.CommitBatch;
import fulcrum.worker.store.RocksReplicaStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dump and export against a real RocksDB store, written the way the worker writes it. */
class DumpExportCommandTest {
    @TempDir
    Path tmp;

    private Path dataDir;
    private RocksReplicaStore store;

    @BeforeEach
    void writeAStore() {
        dataDir = tmp.resolve("data").resolve("fulcrum-2");
        store = RocksReplicaStore.open(dataDir, "fulcrum-2");
        Replica replica = Replica.fresh("fulcrum-2", Topology.replicaIds(3));
        CommitBatch batch = new CommitBatch();
        List<Command> commands = List.of(Command.addCity("Tatooine", "Mos_Espa", 5), Command.addCity("Tatooine", "Anchorhead", 1),
                Command.updateName("Tatooine", "Mos_Espa", "Mos_Eisley"), Command.updateNumber("Tatooine", "Mos_Eisley", 7),
                Command.deleteCity("Tatooine", "Anchorhead"), Command.addCity("Hoth", "Echo_Base", 40));
        int n = 0;
        for (Command c : commands) {
            Step step = replica.execute("cmd-" + n++, c);
            batch.putPlanet(step.planetAfter()).addOperation(step.operation());
        }
        store.commit(batch);
    }

    @Test
    void dumpPrintsTheCanonicalStateWhileTheStoreIsOpen() {
        Run run = StatusCommandTest.admin("dump", "--data-dir", dataDir.toString(), "--replicas", "3");
        store.close();
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("applied [0,6,0]\n", "Tatooine clock [0,5,0]\n", "Tatooine Mos_Eisley 7\n",
                "Hoth Echo_Base 40\n");
        assertThat(run.out()).isEqualTo(RocksReplicaStore.canonicalDump(dataDir, Topology.replicaIds(3)));
    }

    @Test
    void exportWritesTheSeedsFormat() throws Exception {
        store.close();
        Run run = StatusCommandTest.admin("export", "--dir", tmp.resolve("out").toString(), "--data-dir", dataDir.toString(),
                "--replica", "fulcrum-2", "--replicas", "3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        Path out = tmp.resolve("out").resolve("fulcrum-2");
        assertThat(Files.readString(out.resolve("Tatooine.txt"))).isEqualTo("# clock [0,5,0]\nTatooine Mos_Eisley 7\n");
        assertThat(Files.readString(out.resolve("Tatooine.log"))).isEqualTo("""
                AddCity Tatooine Mos_Espa 5
                AddCity Tatooine Anchorhead 1
                UpdateName Tatooine Mos_Espa Mos_Eisley
                UpdateNumber Tatooine Mos_Eisley 7
                DeleteCity Tatooine Anchorhead
                """);
        assertThat(Files.readString(out.resolve("Hoth.txt"))).isEqualTo("# clock [0,1,0]\nHoth Echo_Base 40\n");
    }

    @Test
    void exportRefusesAnotherReplicasStoreAndDumpAMissingOne() {
        store.close();
        Run wrong = StatusCommandTest.admin("export", "--dir", tmp.toString(), "--data-dir", dataDir.toString(),
                "--replica", "fulcrum-1");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains("belongs to fulcrum-2");
        Run missing = StatusCommandTest.admin("dump", "--data-dir", tmp.resolve("nothing").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("fulcrum-admin: dump: ").doesNotContain("\tat ");
    }
}
