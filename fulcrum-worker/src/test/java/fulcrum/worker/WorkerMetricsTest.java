package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fulcrum.common.metrics.DaemonMetrics;
import fulcrum.common.metrics.Health;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.store.RocksStore;
import fulcrum.testkit.MetricsScrape;
import fulcrum.testkit.TestBroker;
import fulcrum.worker.metrics.MicrometerReplicaMetrics;
import io.micrometer.core.instrument.Tag;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's {@code /metrics} and {@code /health} over HTTP, wired as {@code WorkerMain} wires them,
 * on a real broker and a real RocksDB store, after a known workload: five AddCity, a re-sent command
 * id, a command refused with CITY_NOT_FOUND, one refused STALE and one that is not JSON. Its peers
 * are played by the test ({@link StandInPeers}), so the worker joins only when the test answers.
 */
class WorkerMetricsTest {
    private static final String SELF = "fulcrum-1";
    private static final int CITIES = 5;

    @TempDir
    Path dataDir;

    @Test
    void theWorkloadShowsInTheMetricsAndHealthFollowsJoiningServingAndStop() throws Exception {
        String uri = TestBroker.freshVirtualHost("worker-metrics");
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        AtomicReference<Worker> started = new AtomicReference<>();
        Health health = () -> started.get() == null ? Health.Status.down("starting") : started.get().health();
        try (PeerWire wire = new PeerWire(uri);
             TestClient client = new TestClient(uri, SELF);
             RocksStore store = RocksStore.open(dataDir, SELF);
             DaemonMetrics metrics = DaemonMetrics.start(SELF, List.of(Tag.of("component", Worker.COMPONENT),
                     Tag.of("replica", SELF)), "127.0.0.1", 0, health)) {
            String url = metrics.baseUrl();
            assertThat(MetricsScrape.health(url).status()).as("before the worker started").isEqualTo(503);

            StandInPeers peers = new StandInPeers(wire, "fulcrum-2", "fulcrum-3");
            Worker worker = new Worker(InProcessWorker.settings(uri, SELF), store,
                    new MicrometerReplicaMetrics(metrics.registry(), SELF, dataDir), fatal::set);
            worker.start();
            started.set(worker);
            try {
                MetricsScrape.HealthAnswer joining = MetricsScrape.health(url);
                assertThat(joining.status()).isEqualTo(503);
                assertThat(joining.body()).contains("\"status\":\"DOWN\"", "\"component\":\"fulcrum-1\"", "joining");

                peers.answerJoin(SELF);
                await("healthy").atMost(TestClient.WAIT).failFast(() -> fatal.get() != null)
                        .until(() -> MetricsScrape.health(url).status() == 200);
                assertThat(MetricsScrape.health(url).body()).contains("\"status\":\"UP\"", "serving");

                runTheWorkload(client);

                await("the workload counted").atMost(TestClient.WAIT)
                        .until(() -> MetricsScrape.of(url).value("fulcrum_command_seconds_count") == CITIES + 4);
                MetricsScrape scrape = MetricsScrape.of(url);
                assertThat(scrape.value("fulcrum_commands_total", "kind", "AddCity", "outcome", "ok")).isEqualTo(CITIES);
                assertThat(scrape.value("fulcrum_commands_total", "kind", "AddCity", "outcome", "dedup")).isEqualTo(1);
                assertThat(scrape.value("fulcrum_commands_total", "kind", "DeleteCity", "outcome", "CITY_NOT_FOUND"))
                        .isEqualTo(1);
                assertThat(scrape.value("fulcrum_commands_total", "kind", "UpdateNumber", "outcome", "STALE")).isEqualTo(1);
                assertThat(scrape.value("fulcrum_commands_total", "kind", "unknown", "outcome", "BAD_MESSAGE")).isEqualTo(1);
                assertThat(scrape.value("fulcrum_dedup_hits_total")).isEqualTo(1);
                assertThat(scrape.value("fulcrum_stale_refusals_total")).isEqualTo(1);
                assertThat(scrape.value("fulcrum_dead_letters_total", "queue", "fulcrum.fulcrum-1.commands",
                        "code", "BAD_MESSAGE")).isEqualTo(1);
                assertThat(scrape.has("fulcrum_commands_total", "component", "fulcrum-worker", "replica", SELF)).isTrue();

                assertThat(scrape.value("fulcrum_commit_seconds_count")).as("synced commits").isPositive();
                assertThat(scrape.value("fulcrum_commit_batch_size_count"))
                        .isEqualTo(scrape.value("fulcrum_commit_seconds_count"));
                // the writes and their refusals are committed; a dedup answer and a dead letter write nothing
                assertThat(scrape.value("fulcrum_commit_batch_size_sum")).as("deliveries settled by commits")
                        .isGreaterThanOrEqualTo(CITIES + 2);
                // eager replication: every entry (five cities and the STALE refusal) published to both peers
                assertThat(scrape.value("fulcrum_operations_sent_total", "peer", "fulcrum-2")).isEqualTo(CITIES + 1);
                assertThat(scrape.value("fulcrum_operations_sent_total", "peer", "fulcrum-3")).isEqualTo(CITIES + 1);
                assertThat(scrape.value("fulcrum_oplog_entries")).as("nothing compacted: no peer announced")
                        .isEqualTo(CITIES + 1);
                assertThat(scrape.value("fulcrum_replication_lag_operations", "peer", "fulcrum-2")).isZero();
                assertThat(scrape.has("fulcrum_replication_lag_seconds", "peer", "fulcrum-3")).isTrue();
                assertThat(scrape.value("fulcrum_replica_serving")).isEqualTo(1);
                assertThat(scrape.value("fulcrum_store_size_bytes")).isPositive();
                assertThat(scrape.has("fulcrum_conflicts_total", "kind", "ADD_NAME_COLLISION")).isTrue();
                assertThat(scrape.value("fulcrum_merge_rounds_total", "trigger", "request")).as("no MergeNow sent").isZero();
                assertThat(scrape.has("fulcrum_merge_rounds_total", "trigger", "interval")).isTrue();
                assertThat(scrape.has("jvm_memory_used_bytes")).isTrue();
            } finally {
                worker.stop();
            }
            MetricsScrape.HealthAnswer stopped = MetricsScrape.health(url);
            assertThat(stopped.status()).isEqualTo(503);
            assertThat(stopped.body()).contains("stopped");
        }
        assertThat(fatal.get()).isNull();
    }

    private static void runTheWorkload(TestClient client) throws Exception {
        String first = null;
        for (int i = 0; i < CITIES; i++) {
            String id = client.send(Command.addCity("Hoth", "Echo_" + i, i));
            first = first == null ? id : first;
            assertThat(client.awaitReply(id).ok()).isTrue();
        }
        client.forget(first);
        client.send(first, Command.addCity("Hoth", "Echo_0", 0));
        assertThat(client.awaitReply(first).ok()).as("the first answer again").isTrue();

        assertThat(client.call(Command.deleteCity("Hoth", "Nowhere")).errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
        String stale = client.send("stale-1", Command.updateNumber("Hoth", "Echo_1", 9),
                VectorClock.of(Map.of(SELF, 99L)));
        assertThat(client.awaitReply(stale).errorCode()).isEqualTo(ErrorCode.STALE);
        client.sendRaw(client.props("bad-1", "bad-1", null).build(), TestClient.utf8("{not json"));
        assertThat(client.awaitReply("bad-1").errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
    }
}
