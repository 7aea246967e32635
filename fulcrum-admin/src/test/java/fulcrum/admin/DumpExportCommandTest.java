package fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.admin.StatusCommandTest.Run;
import fulcrum.core.domain.Command;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.Ready;
import fulcrum.core.node.ReplicaNode;
import fulcrum.core.node.ReplyAddress;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dump and export against a real RocksDB store, written the way the worker writes it: the
 * production {@link ReplicaNode} over a {@link RocksStore}, each Ready's batch committed (a
 * one-replica cluster, so the node serves at once and publishes to nobody).
 */
class DumpExportCommandTest {
    private static final List<Command> COMMANDS = List.of(Command.addCity("Tatooine", "Mos_Espa", 5),
            Command.addCity("Tatooine", "Anchorhead", 1), Command.updateName("Tatooine", "Mos_Espa", "Mos_Eisley"),
            Command.updateNumber("Tatooine", "Mos_Eisley", 7), Command.deleteCity("Tatooine", "Anchorhead"),
            Command.addCity("Hoth", "Echo_Base", 40));

    @TempDir
    Path tmp;

    private Path dataDir;
    private RocksStore store;
    private ReplicaNode node;

    @BeforeEach
    void writeAStore() {
        dataDir = tmp.resolve("data").resolve("fulcrum-2");
        store = RocksStore.open(dataDir, "fulcrum-2");
        node = new ReplicaNode(NodeConfig.defaults("fulcrum-2", List.of("fulcrum-2"), 5, 1), store, 0);
        long tag = 0;
        for (Command c : COMMANDS) {
            tag++;
            node.onCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, tag), ReplyAddress.NONE, "cmd-" + tag, c, null);
            carryOut();
        }
    }

    private void carryOut() {
        for (Ready r = node.ready(); r != null; r = node.ready()) {
            store.commit(r.commit());
            node.advance(r, true);
        }
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void dumpPrintsTheCanonicalStateWhileTheWriterHasTheStoreOpen() {
        Run run = StatusCommandTest.admin("dump", "--data-dir", dataDir.toString(), "--replicas", "3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("fulcrum-dump 1\nreplicas fulcrum-1 fulcrum-2 fulcrum-3\napplied [0,6,0]\n")
                .contains("Tatooine clock [0,5,0]\n", "Tatooine Mos_Eisley 7\n", "Hoth clock [0,1,0]\n", "Hoth Echo_Base 40\n")
                .containsPattern("(?m)^Tatooine fulcrum-2:2 deleted name=Anchorhead@2:fulcrum-2 ")
                .doesNotContain("Anchorhead 1\n");
        try (ReadOnlyRocksStore reader = RocksStore.openReadOnly(dataDir)) {
            assertThat(run.out()).isEqualTo(CanonicalDump.of(List.of("fulcrum-1", "fulcrum-2", "fulcrum-3"), reader.planets(),
                    reader.meta().appliedSeq()));
        }
    }

    @Test
    void exportWritesTheSeedsFormatWithTheEntriesStillHeld() throws Exception {
        Run run = StatusCommandTest.admin("export", "--dir", tmp.resolve("out").toString(), "--data-dir", dataDir.toString(),
                "--replica", "fulcrum-2", "--replicas", "3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("fulcrum-2: 2 planet(s) written to " + tmp.resolve("out").resolve("fulcrum-2") + "\n");
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
        assertThat(Files.readString(out.resolve("Hoth.log"))).isEqualTo("AddCity Hoth Echo_Base 40\n");
    }

    @Test
    void exportAfterCompactionHasEmptyLogsAndTheSameState() throws Exception {
        node.tick(1); // a serving replica with no peers may compact every entry it applied
        carryOut();
        try (ReadOnlyRocksStore reader = RocksStore.openReadOnly(dataDir)) {
            assertThat(reader.allOperations()).isEmpty();
        }
        Run run = StatusCommandTest.admin("export", "--dir", tmp.toString(), "--data-dir", dataDir.toString(),
                "--replica", "fulcrum-2", "--replicas", "3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readString(tmp.resolve("fulcrum-2").resolve("Tatooine.txt"))).isEqualTo("# clock [0,5,0]\nTatooine Mos_Eisley 7\n");
        assertThat(Files.readString(tmp.resolve("fulcrum-2").resolve("Tatooine.log"))).isEmpty();
        assertThat(Files.readString(tmp.resolve("fulcrum-2").resolve("Hoth.log"))).isEmpty();
    }

    @Test
    void exportRefusesAnotherReplicasStoreAndDumpAMissingOrEmptyOne() throws Exception {
        Run wrong = StatusCommandTest.admin("export", "--dir", tmp.toString(), "--data-dir", dataDir.toString(),
                "--replica", "fulcrum-1");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains("belongs to fulcrum-2, not fulcrum-1");
        assertThat(Files.exists(tmp.resolve("fulcrum-1"))).isFalse();

        Run missing = StatusCommandTest.admin("dump", "--data-dir", tmp.resolve("nothing").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("fulcrum-admin: dump: no data directory").doesNotContain("\tat ");

        Files.createDirectories(tmp.resolve("empty"));
        Run empty = StatusCommandTest.admin("dump", "--data-dir", tmp.resolve("empty").toString());
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).startsWith("fulcrum-admin: dump: ").doesNotContain("\tat ");
    }
}
