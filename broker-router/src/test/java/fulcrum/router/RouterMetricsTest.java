package fulcrum.router;

import static fulcrum.router.BrokerSide.REPLICAS;
import static fulcrum.router.BrokerSide.clock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.GetResponse;
import fulcrum.common.metrics.DaemonMetrics;
import fulcrum.common.metrics.Health;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.router.metrics.MicrometerRouterMetrics;
import fulcrum.testkit.MetricsScrape;
import io.micrometer.core.instrument.Tag;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The router's {@code /metrics} and {@code /health} over HTTP, wired as {@code RouterMain} wires
 * them, on a real broker, after a known workload: three AddCity answered ok, one UpdateNumber
 * answered STALE by its first replica and ok by the next, one DeleteCity answered CITY_NOT_FOUND,
 * one message that is not JSON, and one query no replica answers (in flight).
 */
class RouterMetricsTest {
    private static final int ADDS = 3;

    @RegisterExtension
    final BrokerSide broker = new BrokerSide();

    @Test
    void theWorkloadShowsInTheMetricsAndHealthIsUpOnlyWhileConsuming() throws Exception {
        AtomicReference<Router> ref = new AtomicReference<>();
        Health health = () -> ref.get() == null ? Health.Status.down("starting") : ref.get().health();
        try (DaemonMetrics metrics = DaemonMetrics.start("mos-eisley-test", List.of(Tag.of("component", "broker-router"),
                Tag.of("router", "mos-eisley-test")), "127.0.0.1", 0, health)) {
            String url = metrics.baseUrl();
            Router router = new Router(broker.uri, "mos-eisley-test", REPLICAS, new Router.Options(16, 8, 1000,
                    Duration.ofMinutes(10)), new MicrometerRouterMetrics(metrics.registry()));
            ref.set(router);
            assertThat(MetricsScrape.health(url).status()).as("not started").isEqualTo(503);
            router.start(Duration.ofSeconds(10));
            try {
                MetricsScrape.HealthAnswer up = MetricsScrape.health(url);
                assertThat(up.status()).isEqualTo(200);
                assertThat(up.body()).contains("\"status\":\"UP\"", "\"component\":\"mos-eisley-test\"", "consuming");

                for (int i = 0; i < ADDS; i++) {
                    answer(send("add-" + i, Command.addCity("Hoth", "Echo_" + i, i)), ok(CommandKind.AddCity));
                }
                GetResponse first = send("update-1", Command.updateNumber("Hoth", "Echo_1", 7));
                answer(first, Reply.failure(CommandKind.UpdateNumber, "Hoth", "Echo_1", replicaOf(first),
                        VectorClock.zero(REPLICAS), ErrorCode.STALE, "behind"));
                answer(broker.awaitForwarded(), ok(CommandKind.UpdateNumber));
                answer(send("delete-1", Command.deleteCity("Hoth", "Nowhere")), Reply.failure(CommandKind.DeleteCity, "Hoth",
                        "Nowhere", "fulcrum-1", VectorClock.zero(REPLICAS), ErrorCode.CITY_NOT_FOUND, "no city"));
                broker.publish("bad-1", CommandKind.AddCity, "{not json".getBytes(StandardCharsets.UTF_8));
                assertThat(broker.awaitReply().errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
                broker.publish("query-1", CommandKind.GetNumberRebelds,
                        CommandCodec.encode(Command.getNumberRebelds("Hoth", "Echo_0")));
                broker.awaitForwarded(); // and never answered

                await("the workload counted").atMost(Duration.ofSeconds(30))
                        .until(() -> MetricsScrape.of(url).value("fulcrum_router_in_flight") == 1);
                MetricsScrape scrape = MetricsScrape.of(url);
                assertThat(scrape.value("fulcrum_commands_total", "kind", "AddCity", "outcome", "ok")).isEqualTo(ADDS);
                assertThat(scrape.value("fulcrum_commands_total", "kind", "UpdateNumber", "outcome", "ok")).isEqualTo(1);
                assertThat(scrape.has("fulcrum_commands_total", "outcome", "STALE")).as("a STALE moved on, not final")
                        .isFalse();
                assertThat(scrape.value("fulcrum_commands_total", "kind", "DeleteCity", "outcome", "CITY_NOT_FOUND"))
                        .isEqualTo(1);
                assertThat(scrape.find("fulcrum_commands_total", "outcome", "BAD_MESSAGE")).singleElement()
                        .satisfies(s -> assertThat(s.value()).isEqualTo(1));
                assertThat(scrape.value("fulcrum_router_stale_reroutes_total", "kind", "UpdateNumber")).isEqualTo(1);
                assertThat(scrape.value("fulcrum_dead_letters_total", "queue", Topology.ROUTER_COMMANDS, "code", "BAD_MESSAGE"))
                        .isEqualTo(1);
                assertThat(scrape.find("fulcrum_router_forwards_total").stream().mapToDouble(MetricsScrape.Sample::value).sum())
                        .as("three adds, two attempts of the update, the delete, the query").isEqualTo(ADDS + 4);
                assertThat(scrape.value("fulcrum_router_query_timeouts_total")).isZero();
                assertThat(scrape.has("fulcrum_commands_total", "component", "broker-router", "router", "mos-eisley-test"))
                        .isTrue();
                assertThat(scrape.has("jvm_threads_live_threads")).isTrue();
            } finally {
                router.close();
            }
            MetricsScrape.HealthAnswer stopped = MetricsScrape.health(url);
            assertThat(stopped.status()).isEqualTo(503);
            assertThat(stopped.body()).contains("stopped");
        }
    }

    private GetResponse send(String id, Command command) throws Exception {
        broker.publish(id, command.kind(), CommandCodec.encode(command));
        return broker.awaitForwarded();
    }

    private void answer(GetResponse forwarded, Reply reply) throws Exception {
        broker.answerAsReplica(forwarded, reply);
        if (reply.ok() || reply.errorCode() != ErrorCode.STALE) {
            assertThat(broker.awaitReply().errorCode()).isEqualTo(reply.errorCode());
        }
    }

    private static Reply ok(CommandKind kind) {
        return Reply.success(kind, "Hoth", "Echo", "fulcrum-1", clock("fulcrum-1", 1), null);
    }

    private static String replicaOf(GetResponse forwarded) {
        return forwarded.getEnvelope().getRoutingKey();
    }
}
