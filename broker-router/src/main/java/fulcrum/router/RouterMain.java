package fulcrum.router;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.cli.ExitCodes;
import fulcrum.common.topology.Topology;
import fulcrum.core.session.SessionRouting;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The Mos Eisley router daemon. Prints {@code READY <name>} once it consumes. */
@Command(name = "broker-router", mixinStandardHelpOptions = true,
        description = "Mos Eisley: forwards informant commands and Leia's queries to a Fulcrum replica.")
public final class RouterMain implements Callable<Integer> {
    @Option(names = "--uri", description = "Broker URI (default: $RABBITMQ_URI, else amqp://guest:guest@localhost:5672/%2f).")
    String uri;

    @Option(names = "--replicas", description = "Number of replicas fulcrum-1..N (default: ${DEFAULT-VALUE}).")
    int replicas = Topology.DEFAULT_REPLICA_COUNT;

    @Option(names = "--name", description = "Name of this router copy (default: ${DEFAULT-VALUE}).")
    String name = "mos-eisley";

    @Option(names = "--prefetch", description = "Unacked deliveries per queue (default: ${DEFAULT-VALUE}).")
    int prefetch = 256;

    @Option(names = "--batch-max", description = "Deliveries forwarded per confirm round (default: ${DEFAULT-VALUE}).")
    int batchMax = 128;

    @Override
    public Integer call() throws InterruptedException {
        if (replicas < 1 || replicas > 64 || prefetch < 1 || prefetch > 10_000 || batchMax < 1 || batchMax > prefetch) {
            System.err.println("error: need 1 <= --replicas <= 64, 1 <= --prefetch <= 10000, 1 <= --batch-max <= --prefetch");
            return ExitCodes.INVALID_INPUT;
        }
        String brokerUri = Amqp.resolveUri(uri);
        Router router = new Router(brokerUri, name, Topology.replicaIds(replicas),
                new SessionRouting(Topology.replicaIds(replicas), new SecureRandom()), prefetch, batchMax);
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
