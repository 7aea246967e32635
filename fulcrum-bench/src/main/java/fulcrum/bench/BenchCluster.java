package fulcrum.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.BrokerSecrets;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.testkit.PrivateRabbitNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * A cluster of the bench's own: a private RabbitMQ node (own name, ports and directory; never the
 * machine's) loading the project's definitions, and workers and the router started from their
 * runnable jars as separate processes, as {@code ./fulcrum up} starts them. It listens on
 * {@code fulcrum.status}, so it knows when each replica serves.
 */
final class BenchCluster implements AutoCloseable {
    private final Path root;
    private final Path dir;
    private final List<String> javaOptions;
    private final Path flightRecordings;
    private final PrivateRabbitNode node;
    private final String uri;
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> byName = new ConcurrentHashMap<>();
    private final Map<String, ReplicaStatus> latest = new ConcurrentHashMap<>();
    private final Map<String, Long> startedAtNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> servingAtNanos = new ConcurrentHashMap<>();
    private final Connection connection;

    BenchCluster(Path root, Path dir, List<String> javaOptions) throws IOException, TimeoutException {
        this(root, dir, javaOptions, null);
    }

    /**
     * @param flightRecordings when not null, every process runs with Java Flight Recorder (the
     *                         profiling settings) and writes {@code <name>.jfr} there when it stops
     */
    BenchCluster(Path root, Path dir, List<String> javaOptions, Path flightRecordings) throws IOException, TimeoutException {
        this.root = root;
        this.dir = dir;
        this.javaOptions = List.copyOf(javaOptions);
        this.flightRecordings = flightRecordings;
        if (flightRecordings != null) {
            Files.createDirectories(flightRecordings);
        }
        Files.createDirectories(dir);
        this.node = PrivateRabbitNode.start(dir.resolve("rabbitmq"), root.resolve("rabbitmq-definitions.json"));
        this.uri = node.uri("/");
        this.connection = Amqp.connect(uri, "fulcrum-bench", Duration.ofSeconds(30));
        Channel status = connection.createChannel();
        Topology.declare(status, Topology.replicaIds(3));
        String queue = status.queueDeclare("", false, true, true, null).getQueue();
        status.queueBind(queue, Topology.STATUS_EXCHANGE, "");
        status.basicConsume(queue, true, (tag, delivery) -> {
            try {
                PeerMessage m = PeerCodec.decode(delivery.getProperties().getType(), delivery.getBody(),
                        PeerCodec.MAX_STATUS_BODY_BYTES);
                if (m instanceof ReplicaStatus s) {
                    synchronized (latest) {
                        if (s.phase() == fulcrum.core.store.Phase.SERVING) {
                            servingAtNanos.putIfAbsent(s.replica(), System.nanoTime());
                        }
                        latest.put(s.replica(), s);
                        latest.notifyAll();
                    }
                }
            } catch (PeerCodec.UndecodableException e) {
                // not ours to judge here
            }
        }, tag -> { });
    }

    String uri() {
        return uri;
    }

    Connection connection() {
        return connection;
    }

    Path dataDir(String replica) {
        return dir.resolve("data").resolve(replica);
    }

    /**
     * Extra JVM options for the router and workers the bench starts, as for those of {@code ./fulcrum up}
     * (say {@code -Xlog:gc:file=gc-%p.log} or another collector, to measure a change without a build).
     */
    static final String JAVA_OPTIONS_VARIABLE = "FULCRUM_JAVA_OPTS";

    /** The options of {@link #JAVA_OPTIONS_VARIABLE}, split at white space; none when it is unset or blank. */
    static List<String> extraJavaOptions(String value) {
        return value == null || value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    Process startWorker(String replica, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--id", replica, "--replicas", "3", "--uri", uriWithoutPassword(), "--data-dir",
                dataDir(replica).toString(), "--status-interval", "500ms"));
        args.addAll(List.of(extra));
        return start(replica, "fulcrum-worker", args);
    }

    Process startRouter() throws IOException {
        return start("mos-eisley", "broker-router", List.of("--uri", uriWithoutPassword(), "--replicas", "3"));
    }

    private String uriWithoutPassword() {
        return Amqp.splitPassword(uri).uri();
    }

    private Process start(String name, String module, List<String> args) throws IOException {
        Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: build first (./mvnw -DskipTests install)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.addAll(extraJavaOptions(System.getenv(JAVA_OPTIONS_VARIABLE)));
        if (flightRecordings != null) {
            command.add("-XX:StartFlightRecording=name=bench,settings=profile");
        }
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        Path log = dir.resolve("logs").resolve(name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        String password = Amqp.splitPassword(uri).password();
        if (password != null) {
            builder.environment().put(BrokerSecrets.PASSWORD, password); // never in argv
        }
        Process p = builder.start();
        processes.add(p);
        byName.put(name, p);
        startedAtNanos.put(name, System.nanoTime());
        return p;
    }

    /** The replica's latest announcement, or null. */
    ReplicaStatus status(String replica) {
        return latest.get(replica);
    }

    /** When {@code replica} first announced that it serves ({@link System#nanoTime()}), or null if it has not yet. */
    Long servingAtNanos(String replica) {
        return servingAtNanos.get(replica);
    }

    /** Forgets what {@code replica} announced (before restarting it, so an old status does not count). */
    void forgetStatus(String replica) {
        synchronized (latest) {
            latest.remove(replica);
            servingAtNanos.remove(replica);
        }
    }

    /**
     * Waits until {@code replica} has announced that it serves; returns the time from its process's
     * start to its first such announcement (the status interval, 500 ms, bounds the error).
     */
    Duration awaitServing(String replica, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (latest) {
            while (System.nanoTime() < deadline) {
                Long serving = servingAtNanos.get(replica);
                if (serving != null) {
                    return Duration.ofNanos(serving - startedAtNanos.get(replica));
                }
                latest.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)); // woken by each announcement
            }
        }
        throw new IllegalStateException(replica + " did not serve within " + timeout + " (last status " + latest.get(replica) + ")");
    }

    /**
     * Waits until every replica of {@code target} serves and announces exactly {@code target} as
     * its applied vector (per origin, the highest entry applied); returns how long that took.
     */
    Duration awaitApplied(Map<String, Long> target, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        synchronized (latest) {
            while (!allApplied(target)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the replicas did not converge on " + target + " within " + timeout
                            + " (latest: " + latest + ")");
                }
                latest.wait(Math.max(1, left / 1_000_000)); // woken by each announcement
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private boolean allApplied(Map<String, Long> target) {
        for (String replica : target.keySet()) {
            ReplicaStatus s = latest.get(replica);
            if (s == null || s.phase() != fulcrum.core.store.Phase.SERVING) {
                return false;
            }
            for (Map.Entry<String, Long> origin : target.entrySet()) {
                if (!origin.getValue().equals(s.applied().getOrDefault(origin.getKey(), 0L))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Over every replica's latest announcement, the entries it applied of the other replicas' streams. */
    long peerEntriesApplied() {
        long sum = 0;
        for (ReplicaStatus s : latest.values()) {
            for (Map.Entry<String, Long> origin : s.applied().entrySet()) {
                if (!origin.getKey().equals(s.replica())) {
                    sum += origin.getValue();
                }
            }
        }
        return sum;
    }

    /** The broker's version, as it tells its clients. */
    String brokerVersion() {
        Object version = connection.getServerProperties().get("version");
        return version == null ? "unknown" : version.toString();
    }

    /** The private RabbitMQ node's process id (its Erlang VM), or -1. */
    long brokerPid() {
        try {
            return Long.parseLong(Files.readString(node.directory().resolve("node.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    long pid(String name) {
        Process p = byName.get(name);
        return p == null ? -1 : p.pid();
    }

    void kill9(String name) throws InterruptedException {
        Process p = byName.remove(name);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Override
    public void close() {
        if (flightRecordings != null) {
            // before the stop: not every process dumps its recording on SIGTERM (dumponexit needs an orderly JVM exit)
            byName.forEach((name, p) -> {
                if (p.isAlive()) {
                    ProcessStats.dumpFlightRecording(p.pid(), flightRecordings.resolve(name + ".jfr"));
                }
            });
        }
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        try {
            connection.close(5_000);
        } catch (IOException | RuntimeException e) {
            connection.abort(1_000);
        }
        node.close();
    }
}
