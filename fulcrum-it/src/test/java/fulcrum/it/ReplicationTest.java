package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.TestBroker;
import fulcrum.worker.store.RocksReplicaStore;
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
 */
class ReplicationTest {
    /** Merges happen only when asked for (and at start); status is announced often. */
    private static final List<String> WORKER_ARGS = List.of("--merge-interval", "1h", "--status-interval", "300ms");

    @TempDir
    Path tmp;

    @Test
    void theSeedsExampleWritesAtOneAndTwoGiveOneOneZeroEverywhere() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("repl-seed"), 3, tmp);
             ReplicationProbe probe = new ReplicationProbe(cluster.uri(), 3)) {
            cluster.startRouter();
            cluster.replicaIds().forEach(id -> cluster.startWorker(id, Map.of(), WORKER_ARGS));

            assertThat(probe.call("fulcrum-1", Command.addCity("Tatooine", "Mos_Espa", 5)).clock().toString()).isEqualTo("[1,0,0]");
            assertThat(probe.call("fulcrum-2", Command.addCity("Tatooine", "Anchorhead", 2)).clock().toString()).isEqualTo("[0,1,0]");
            assertThat(probe.call("fulcrum-3", Command.getNumberRebelds("Tatooine", "Mos_Espa")).ok()).isFalse();

            probe.mergeNow();
            probe.awaitConverged(cluster.replicaIds(), v -> v.equals(Map.of("fulcrum-1", 1L, "fulcrum-2", 1L)));
            for (String id : cluster.replicaIds()) {
                Reply read = probe.call(id, Command.getNumberRebelds("Tatooine", "Mos_Espa"));
                assertThat(read.rebels()).isEqualTo(5);
                assertThat(read.clock().toString()).as(id).isEqualTo("[1,1,0]");
            }

            List<String> dumps = stopAndDump(cluster);
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
            cluster.startRouter();
            cluster.replicaIds().forEach(id -> cluster.startWorker(id, Map.of(), WORKER_ARGS));

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
            assertThat(probe.call("fulcrum-3", Command.updateNumber("Hoth", "Base_fulcrum-3", 3000)).ok()).isTrue();

            probe.mergeNow();
            probe.awaitConverged(cluster.replicaIds(),
                    v -> v.equals(Map.of("fulcrum-1", 47L, "fulcrum-2", 45L, "fulcrum-3", 46L)));

            List<String> dumps = stopAndDump(cluster);
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

    /** Stops every worker (SIGTERM, clean exit) and reads each stopped store's canonical dump. */
    private static List<String> stopAndDump(Cluster cluster) {
        List<String> dumps = new ArrayList<>();
        for (String id : cluster.replicaIds()) {
            JvmProcess p = cluster.process(id);
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
            assertThat(p.awaitExit(120)).as(p.output()).isTrue();
            assertThat(p.exitCode()).as(p.output()).isZero();
        }
        for (String id : cluster.replicaIds()) {
            dumps.add(RocksReplicaStore.canonicalDump(cluster.dataDir(id), cluster.replicaIds()));
        }
        return dumps;
    }
}
