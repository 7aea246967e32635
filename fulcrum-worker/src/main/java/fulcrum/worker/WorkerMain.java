package fulcrum.worker;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.cli.BrokerOptions;
import fulcrum.common.cli.DurationConverter;
import fulcrum.common.metrics.DaemonMetrics;
import fulcrum.common.metrics.Health;
import fulcrum.common.metrics.MetricsOptions;
import fulcrum.core.node.NodeConfig;
import fulcrum.store.RocksStore;
import fulcrum.store.StoreCorruptedException;
import fulcrum.store.StoreException;
import fulcrum.worker.metrics.MicrometerReplicaMetrics;
import io.micrometer.core.instrument.Tag;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The worker daemon. Prints exactly one line {@code READY <id>} to standard output once it consumes;
 * everything else goes to standard error.
 *
 * <p>Exit codes: 0 after SIGTERM/SIGINT (consumer cancelled, current batch finished, store closed);
 * 1 fatal error while running (e.g. a failed synced write: a restart reloads the store);
 * 2 bad options; 3 broker unreachable at start; 4 data directory unusable (locked, corrupt, another
 * replica's); 86 a test crash point ({@link CrashPoints}).
 */
@Command(name = "fulcrum-worker", mixinStandardHelpOptions = true, sortOptions = false, version = "fulcrum-worker 0.1.0",
        description = "One Fulcrum replica: consumes fulcrum.<id>.commands and fulcrum.<id>.merge, keeps the registry in RocksDB.")
public final class WorkerMain implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FATAL = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNAVAILABLE = 3;
    public static final int EXIT_STORE = 4;
    /** Returned by {@link #call()} when the worker runs on in its own threads. */
    private static final int RUNNING = -1;

    @Spec
    CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "replica id, one of fulcrum-1..fulcrum-N")
    String id;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "3", description = "number of replicas (default ${DEFAULT-VALUE})")
    int replicas;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "RocksDB directory (default ./data/<id>)")
    Path dataDir;

    @Mixin
    BrokerOptions broker;

    @Mixin
    PeerAuthOptions peerAuth;

    @Option(names = "--prefetch", paramLabel = "N", defaultValue = "256", description = "unacked deliveries (default ${DEFAULT-VALUE})")
    int prefetch;

    @Option(names = "--batch-max", paramLabel = "N", defaultValue = "128", description = "deliveries the loop takes into the node per round (default ${DEFAULT-VALUE}); several rounds' batches may share one synced commit")
    int batchMax;

    @Option(names = "--pipeline-depth", paramLabel = "N", defaultValue = "1",
            description = "batches in flight at once (synced, published, awaiting confirms) while the next deliveries "
                    + "are executed, 1..16 (default ${DEFAULT-VALUE}: on 2 cores deeper pipelines made more, smaller "
                    + "batches and less throughput)")
    int pipelineDepth;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to retry the first connection (default ${DEFAULT-VALUE})")
    int connectTimeoutSeconds;

    @Option(names = "--merge-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how often to publish own operations on fulcrum.merge, e.g. 30s, 2m "
                    + "(default $FULCRUM_MERGE_INTERVAL, else 2m)")
    Duration mergeInterval;

    @Option(names = "--status-interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "3s",
            description = "how often to announce the applied vector on fulcrum.status even when idle (default ${DEFAULT-VALUE})")
    Duration statusInterval;

    @Option(names = "--replication", paramLabel = "MODE", defaultValue = "eager", converter = ReplicationConverter.class,
            description = "eager: a write is answered once it is on this disk and in every peer's merge queue "
                    + "(survives the loss of this disk); interval: answered once on this disk, published every "
                    + "merge interval (the seed's behaviour) (default ${DEFAULT-VALUE})")
    NodeConfig.Replication replication;

    @Mixin
    MetricsOptions metricsOptions;

    /** Accepts eager / interval in any case. */
    static final class ReplicationConverter implements CommandLine.ITypeConverter<NodeConfig.Replication> {
        @Override
        public NodeConfig.Replication convert(String value) {
            try {
                return NodeConfig.Replication.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected eager or interval, got '" + value + "'");
            }
        }
    }

    public static void main(String[] args) {
        configureLogging();
        CommandLine cli = new CommandLine(new WorkerMain());
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("fulcrum-worker: " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("fulcrum-worker: " + Amqp.rootMessage(e));
            return EXIT_FATAL;
        });
        int code = cli.execute(args);
        if (code != RUNNING) {
            System.exit(code);
        }
        // otherwise the worker's threads keep the JVM alive until SIGTERM
    }

    @Override
    public Integer call() {
        WorkerSettings settings;
        try {
            settings = new WorkerSettings(id, replicas, broker.resolve(spec.commandLine().getErr()), prefetch, batchMax,
                    Duration.ofSeconds(connectTimeoutSeconds), resolveMergeInterval(), statusInterval, replication)
                    .withPeerAuthentication(peerAuth.mode(), peerAuth.replicaUsers(replicas), peerAuth.adminUsers())
                    .withPipelineDepth(pipelineDepth);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            Amqp.factory(settings.uri());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), Amqp.redact(e.getMessage()));
        }
        if (connectTimeoutSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connect-timeout must not be negative");
        }
        if (metricsOptions.port < -1 || metricsOptions.port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--metrics-port must be -1 (no endpoint), 0 (any free port) or 1..65535, got " + metricsOptions.port);
        }
        Path dir = dataDir != null ? dataDir : Path.of("data", id);
        PrintStream err = System.err;

        RocksStore store;
        try {
            store = RocksStore.open(dir, id);
        } catch (StoreException | StoreCorruptedException e) {
            err.println("fulcrum-worker: refusing to start: " + e.getMessage());
            return EXIT_STORE;
        }
        if (store.migration() != null) {
            org.slf4j.LoggerFactory.getLogger(WorkerMain.class).info("{}: store {} migrated, {}", id, dir, store.migration());
        }
        AtomicReference<Worker> started = new AtomicReference<>();
        Health health = () -> started.get() == null ? Health.Status.down("starting") : started.get().health();
        DaemonMetrics metrics;
        try {
            metrics = DaemonMetrics.start(id, List.of(Tag.of("component", Worker.COMPONENT), Tag.of("replica", id)),
                    metricsOptions.host, metricsOptions.port, health);
        } catch (IOException | RuntimeException e) {
            store.close();
            err.println("fulcrum-worker: cannot serve metrics on " + metricsOptions.host + ":" + metricsOptions.port + ": "
                    + Amqp.rootMessage(e) + " (--metrics-port, --metrics-host; -1: no endpoint)");
            return EXIT_UNAVAILABLE;
        }
        ReplicaMetrics replicaMetrics = new MicrometerReplicaMetrics(metrics.registry(), id, dir);
        Worker worker = new Worker(settings, store, replicaMetrics, fatal -> {
            err.println("fulcrum-worker: fatal: " + Amqp.rootMessage(fatal) + "; exiting (a restart reloads the store)");
            org.slf4j.LoggerFactory.getLogger(WorkerMain.class).error("fatal error", fatal);
            err.flush();
            Runtime.getRuntime().halt(EXIT_FATAL);
        });
        try {
            worker.start();
            started.set(worker);
        } catch (IOException | TimeoutException e) {
            metrics.close();
            store.close();
            String message = e.getMessage() == null ? Amqp.rootMessage(e) : e.getMessage();
            err.println("fulcrum-worker: " + message.lines().findFirst().orElse(message));
            return EXIT_UNAVAILABLE;
        } catch (RuntimeException e) {
            metrics.close();
            store.close();
            err.println("fulcrum-worker: cannot start: " + Amqp.rootMessage(e));
            return EXIT_UNAVAILABLE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.stop();
            store.close();
            metrics.close();
            System.out.flush();
            err.flush();
            // a signal's default exit status is 128+n; a clean stop is a success
            Runtime.getRuntime().halt(EXIT_OK);
        }, "fulcrum-worker-shutdown"));
        if (metrics.baseUrl() != null) {
            err.println("fulcrum-worker: " + id + " metrics at " + metrics.baseUrl() + "/metrics, health at "
                    + metrics.baseUrl() + "/health");
        }
        err.flush();
        System.out.println("READY " + id);
        System.out.flush();
        return RUNNING;
    }

    private Duration resolveMergeInterval() {
        if (mergeInterval != null) {
            return mergeInterval;
        }
        String env = System.getenv(WorkerSettings.MERGE_INTERVAL_VARIABLE);
        if (env == null || env.isBlank()) {
            return WorkerSettings.DEFAULT_MERGE_INTERVAL;
        }
        try {
            return DurationConverter.parse(env);
        } catch (CommandLine.TypeConversionException e) {
            throw new IllegalArgumentException(WorkerSettings.MERGE_INTERVAL_VARIABLE + ": " + e.getMessage());
        }
    }

    private static void configureLogging() {
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.log.com.rabbitmq", "warn");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
