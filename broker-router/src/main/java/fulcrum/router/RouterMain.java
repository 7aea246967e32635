package fulcrum.router;

import fulcrum.common.cli.BrokerOptions;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.cli.DurationConverter;
import fulcrum.common.cli.ExitCodes;
import fulcrum.common.topology.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The Mos Eisley router daemon. Prints {@code READY <name>} once it consumes. */
@Command(name = "broker-router", mixinStandardHelpOptions = true,
        description = "Mos Eisley: forwards informant commands and Leia's queries to a Fulcrum replica.")
public final class RouterMain implements Callable<Integer> {
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

    @Override
    public Integer call() throws InterruptedException {
        if (replicas < 1 || replicas > 64 || prefetch < 1 || prefetch > 10_000 || batchMax < 1 || batchMax > prefetch
                || maxInFlight < 1 || maxInFlight > 10_000_000 || queryTimeout.isZero()) {
            System.err.println("error: need 1 <= --replicas <= 64, 1 <= --prefetch <= 10000, 1 <= --batch-max <= --prefetch,"
                    + " 1 <= --max-in-flight <= 10000000, --query-timeout > 0");
            return ExitCodes.INVALID_INPUT;
        }
        String brokerUri;
        try {
            brokerUri = broker.resolve(new java.io.PrintWriter(System.err, true));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        Router router = new Router(brokerUri, name, Topology.replicaIds(replicas),
                new Router.Options(prefetch, batchMax, maxInFlight, queryTimeout));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            stopped.countDown();
            System.out.flush();
            // a clean stop on SIGTERM exits 0 (as the worker does), not the JVM's 143
            Runtime.getRuntime().halt(ExitCodes.OK);
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
        System.out.println("READY " + name);
        System.out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    public static void main(String[] args) {
        System.exit(CliRunner.run(new RouterMain(), args));
    }
}
