package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three worker processes and a router on a real broker: writes at different replicas, a merge round
 * (MergeNow on fulcrum.merge), convergence seen on fulcrum.status, and byte-identical canonical
 * dumps of the three RocksDB stores once the workers have stopped.
 *
 * <p>The workers run with {@code --replication interval --merge-interval 1h} (the seed's replication,
 * merges only when asked for), so that the replicas differ between merges as in the seed's example;
 * in the default eager replication a write is in every peer's queue before it is answered.
 */
class ReplicationTest {
    /** Entries go out only on MergeNow (or at start for what a crash left unpublished); status is announced often. */
    private static final List<String> WORKER_ARGS = List.of("--replication", "interval", "--merge-interval", "1h",
            "--status-interval", "300ms");

    @TempDir
    Path tmp;

    @Test
    void theSeedsExampleWritesAtOneAndTwoGiveOneOneZeroEverywhere() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("repl-seed"), 3, tmp);
             ReplicationProbe probe = new ReplicationProbe(cluster.uri(), 3)) {
            cluster.startAll(WORKER_ARGS);

            assertThat(probe.call("fulcrum-1", Command.addCity("Tatooine", "Mos_Espa", 5)).clock().toString()).isEqualTo("[1,0,0]");
            assertThat(probe.call("fulcrum-2", Command.addCity("Tatooine", "Anchorhead", 2)).clock().toString()).isEqualTo("[0,1,0]");
            Reply none = probe.call("fulcrum-3", Command.getNumberRebelds("Tatooine", "Mos_Espa"));
            assertThat(none.errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
            assertThat(CanonicalDump.clock(cluster.replicaIds(), none.clock())).isEqualTo("[0,0,0]");

            probe.mergeNow();
            probe.awaitConverged(cluster.replicaIds(), v -> v.equals(Map.of("fulcrum-1", 1L, "fulcrum-2", 1L)));
            for (String id : cluster.replicaIds()) {
                Reply read = probe.call(id, Command.getNumberRebelds("Tatooine", "Mos_Espa"));
                assertThat(read.rebels()).isEqualTo(5);
                assertThat(read.clock().toString()).as(id).isEqualTo("[1,1,0]");
            }

            List<String> dumps = cluster.stopWorkersAndDump();
            assertThat(dumps.get(1)).isEqualTo(dumps.get(0));
            assertThat(dumps.get(2)).isEqualTo(dumps.get(0));
            assertThat(dumps.get(0)).contains("applied [1,1,0]\n", "Tatooine clock [1,1,0]\n", "Tatooine Anchorhead 2\n",
                    "Tatooine Mos_Espa 5\n");
        }
    }

    @Test
    void aReplicaKilledDuringARoundCatchesUpAfterARestartAndAllConverge() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("repl-kill"), 3, tmp);
             ReplicationProbe probe = new ReplicationProbe(cluster.uri(), 3)) {
            cluster.startAll(WORKER_ARGS);

            int perReplica = 40;
            List<String> pending = new ArrayList<>();
            for (int i = 0; i < perReplica; i++) {
                for (String id : cluster.replicaIds()) {
                    pending.add(probe.sendTo(id, i == 0 ? Command.addCity("Hoth", "Base_" + id, 0)
                            : Command.updateNumber("Hoth", "Base_" + id, i)));
                }
            }
            pending.add(probe.sendTo("fulcrum-1", Command.addCity("Endor", "Shared", 0)));
            awaitAllOk(probe, pending);
            probe.mergeNow();
            probe.awaitConverged(cluster.replicaIds(),
                    v -> v.equals(Map.of("fulcrum-1", 41L, "fulcrum-2", 40L, "fulcrum-3", 40L)));

            // concurrent updates of one city at every replica (settled by the conflict rules) and more writes
            for (int i = 1; i <= 5; i++) {
                for (String id : cluster.replicaIds()) {
                    pending.add(probe.sendTo(id, Command.updateNumber("Endor", "Shared", 100 * i + id.charAt(id.length() - 1))));
                }
            }
            awaitAllOk(probe, pending);
            probe.mergeNow();
            cluster.kill9("fulcrum-3"); // during the round: it may have applied some, none or all of it
            probe.status.remove("fulcrum-3");
            assertThat(probe.call("fulcrum-1", Command.updateNumber("Hoth", "Base_fulcrum-1", 1000)).ok()).isTrue();
            cluster.startWorker("fulcrum-3", Map.of(), WORKER_ARGS);
            cluster.awaitServing("fulcrum-3");
            assertThat(probe.call("fulcrum-3", Command.updateNumber("Hoth", "Base_fulcrum-3", 3000)).ok()).isTrue();

            probe.mergeNow();
            probe.awaitConverged(cluster.replicaIds(),
                    v -> v.equals(Map.of("fulcrum-1", 47L, "fulcrum-2", 45L, "fulcrum-3", 46L)));

            List<String> dumps = cluster.stopWorkersAndDump();
            assertThat(dumps.get(1)).isEqualTo(dumps.get(0));
            assertThat(dumps.get(2)).isEqualTo(dumps.get(0));
            assertThat(dumps.get(0)).contains("Hoth Base_fulcrum-1 1000\n", "Hoth Base_fulcrum-3 3000\n",
                    "Hoth Base_fulcrum-2 " + (perReplica - 1) + "\n");
        }
    }

    private static void awaitAllOk(ReplicationProbe probe, List<String> ids) {
        for (String id : ids) {
            Reply r = probe.awaitReply(id);
            assertThat(r.ok()).as(String.valueOf(r)).isTrue();
        }
        ids.clear();
    }
}
