package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.UnavailableException;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import fulcrum.testkit.MetricsScrape;
import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct write path with the route table: once a client has Mos Eisley's table, its writes
 * publish no route request while the table is valid, and each is still applied exactly once (a
 * planet's clock counts its writes); with {@code --route-table-validity 0} every write asks.
 */
class RouteTableTest {
    private static final int WRITES = 20;

    @TempDir
    Path tmp;

    @Test
    void afterTheFirstWriteAClientsWritesAskNoRouteAndEachIsAppliedOnce() throws Exception {
        // a validity far beyond the test's length: the table cannot expire while it runs
        try (Cluster cluster = cluster("route-table", 3, "1h"); FulcrumClient client = client(cluster)) {
            String metrics = cluster.metricsUrl(Cluster.ROUTER);
            Reply first = client.submit(UUID.randomUUID().toString(), Command.addCity("Naboo_first", "Theed", 1), null, null)
                    .get(90, TimeUnit.SECONDS);
            assertThat(first.ok()).as(first.toString()).isTrue();
            await("the first write's route request counted").atMost(Duration.ofSeconds(30))
                    .until(() -> routesAnswered(metrics) == 1);

            List<Reply> added = addCities(client);
            List<Reply> updated = all(client, i -> Command.updateNumber("Naboo_" + i, "Theed", 100 + i), added::get);
            List<Reply> read = all(client, i -> Command.getNumberRebelds("Naboo_" + i, "Theed"), updated::get);
            for (int i = 0; i < WRITES; i++) {
                assertThat(added.get(i).clock().sum()).as("AddCity applied once").isEqualTo(1);
                assertThat(updated.get(i).clock().sum()).as("UpdateNumber applied once, after AddCity").isEqualTo(2);
                assertThat(updated.get(i).replica()).as("the session's last replica first").isEqualTo(added.get(i).replica());
                assertThat(read.get(i).rebels()).isEqualTo(100 + i);
                assertThat(read.get(i).clock().sum()).as("no write applied twice").isEqualTo(2);
            }
            assertThat(added.stream().map(Reply::replica).distinct()).as("the table spreads writes").hasSizeGreaterThan(1);
            // The queries were answered after every write's route (had there been one) was: the
            // router's counters then include every route request the writes sent.
            assertThat(routesAnswered(metrics)).as("route requests: the first write's only").isEqualTo(1);
        }
    }

    @Test
    void withoutARouteTableEveryWriteAsks() throws Exception {
        try (Cluster cluster = cluster("route-table-off", 1, "0"); FulcrumClient client = client(cluster)) {
            List<Reply> added = addCities(client);
            List<Reply> read = all(client, i -> Command.getNumberRebelds("Naboo_" + i, "Theed"), added::get);
            for (int i = 0; i < WRITES; i++) {
                assertThat(added.get(i).clock().sum()).as("AddCity applied once").isEqualTo(1);
                assertThat(read.get(i).rebels()).isEqualTo(i);
            }
            assertThat(routesAnswered(cluster.metricsUrl(Cluster.ROUTER))).as("one route request per write").isEqualTo(WRITES);
        }
    }

    /** A cluster of {@code replicas} whose router hands out route tables valid for {@code validity}. */
    private Cluster cluster(String name, int replicas, String validity) {
        return new Cluster(TestBroker.freshVirtualHost(name), replicas, tmp)
                .startAll(List.of("--route-table-validity", validity), List.of());
    }

    private static FulcrumClient client(Cluster cluster) throws UnavailableException {
        return FulcrumClient.connect(cluster.uri(), "route-table", Duration.ofSeconds(60));
    }

    /** Adds city Theed with i rebels to planet Naboo_i, for every i, with no session. */
    private static List<Reply> addCities(FulcrumClient client) throws Exception {
        return all(client, i -> Command.addCity("Naboo_" + i, "Theed", i), i -> null);
    }

    /** Route requests the router answered with a route. */
    private static double routesAnswered(String metrics) throws Exception {
        return MetricsScrape.of(metrics).value("fulcrum_router_routes_total", "outcome", "ok");
    }

    private static List<Reply> all(FulcrumClient client, IntFunction<Command> command, IntFunction<Reply> after)
            throws Exception {
        return SubmittedTogether.all(client, WRITES, command, after);
    }
}
