package fulcrum.router;

import fulcrum.common.cli.BrokerOptions;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.cli.DurationConverter;
import fulcrum.common.cli.ExitCodes;
import fulcrum.common.metrics.DaemonMetrics;
import fulcrum.common.metrics.Health;
import fulcrum.common.metrics.MetricsOptions;
import fulcrum.common.topology.Topology;
import fulcrum.router.metrics.MicrometerRouterMetrics;
import io.micrometer.core.instrument.Tag;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The Mos Eisley router daemon. Prints {@code READY <name>} once it consumes. */
@Command(name = "broker-router", mixinStandardHelpOptions = true,
        description = "Mos Eisley: forwards informant commands and Leia's queries to a Fulcrum replica.")
public final class RouterMain implements Callable<Integer> {
    /** A route table older than this would outlive any sensible change of the replica set. */
    static final Duration MAX_ROUTE_TABLE_VALIDITY = Duration.ofHours(1);

    @Mixin
    BrokerOptions broker;

    @Option(names = "--replicas", description = "Number of replicas fulcrum-1..N (default: ${DEFAULT-VALUE}).")
    int replicas = Topology.DEFAULT_REPLICA_COUNT;

    @Option(names = "--name", description = "Name of this router copy (default: ${DEFAULT-VALUE}).")
    String name = "mos-eisley";

    @Option(names = "--prefetch", description = "Unacked deliveries per queue (default: ${DEFAULT-VALUE}).")
    int prefetch = Router.Options.defaults().prefetch();

    @Option(names = "--batch-max", description = "Deliveries forwarded per confirm round (default: ${DEFAULT-VALUE}).")
    int batchMax = Router.Options.defaults().batchMax();

    @Option(names = "--max-in-flight", description = "Forwards waiting for a reply; at the bound the oldest is"
            + " answered UNAVAILABLE (default: ${DEFAULT-VALUE}).")
    int maxInFlight = Router.Options.defaults().maxInFlight();

    @Option(names = "--query-timeout", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long a query waits for a replica before the next one is asked (default: 3s).")
    Duration queryTimeout = Router.Options.defaults().queryTimeout();

    @Option(names = "--route-table-validity", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long a client may compute its writes' routes from the replica set a route answer hands"
                    + " out, instead of asking for each write; 0 hands out none (default: 5s).")
    Duration routeTableValidity = Router.Options.defaults().routeTableValidity();

    @Mixin
    MetricsOptions metricsOptions = new MetricsOptions();

    @Override
    public Integer call() throws InterruptedException {
        if (replicas < 1 || replicas > 64 || prefetch < 1 || prefetch > 10_000 || batchMax < 1 || batchMax > prefetch
                || maxInFlight < 1 || maxInFlight > 10_000_000 || queryTimeout.isZero()
                || routeTableValidity.compareTo(MAX_ROUTE_TABLE_VALIDITY) > 0
                || metricsOptions.port < -1 || metricsOptions.port > 65_535) {
            System.err.println("error: need 1 <= --replicas <= 64, 1 <= --prefetch <= 10000, 1 <= --batch-max <= --prefetch,"
                    + " 1 <= --max-in-flight <= 10000000, --query-timeout > 0, --route-table-validity <= 1h,"
                    + " -1 <= --metrics-port <= 65535");
            return ExitCodes.INVALID_INPUT;
        }
        String brokerUri;
        try {
            brokerUri = broker.resolve(new PrintWriter(System.err, true));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        AtomicReference<Router> routerRef = new AtomicReference<>();
        DaemonMetrics metrics;
        try {
            metrics = DaemonMetrics.start(name, List.of(Tag.of("component", "broker-router"), Tag.of("router", name)),
                    metricsOptions.host, metricsOptions.port,
                    () -> routerRef.get() == null ? Health.Status.down("starting") : routerRef.get().health());
        } catch (IOException | RuntimeException e) {
            System.err.println("error: cannot serve metrics on " + metricsOptions.host + ":" + metricsOptions.port + ": "
                    + Amqp.rootMessage(e) + " (--metrics-port, --metrics-host; -1: no endpoint)");
            return ExitCodes.UNAVAILABLE;
        }
        Router router = new Router(brokerUri, name, Topology.replicaIds(replicas),
                new Router.Options(prefetch, batchMax, maxInFlight, queryTimeout, routeTableValidity),
                new MicrometerRouterMetrics(metrics.registry()));
        routerRef.set(router);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean started = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            metrics.close();
            stopped.countDown();
            System.out.flush();
            if (started.get()) {
                // a clean stop on SIGTERM exits 0 (as the worker does), not the JVM's 143; a start that
                // failed keeps its own exit code (3: broker unreachable)
                Runtime.getRuntime().halt(ExitCodes.OK);
            }
        }, "router-shutdown"));
        try {
            router.start(Duration.ofSeconds(30));
        } catch (IOException | TimeoutException e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.UNAVAILABLE;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        started.set(true);
        if (metrics.baseUrl() != null) {
            System.err.println(name + ": metrics at " + metrics.baseUrl() + "/metrics, health at " + metrics.baseUrl() + "/health");
        }
        System.out.println("READY " + name);
        System.out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    public static void main(String[] args) {
        System.exit(CliRunner.run(new RouterMain(), args));
    }
}
