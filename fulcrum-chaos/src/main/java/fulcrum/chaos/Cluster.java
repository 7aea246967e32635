package fulcrum.chaos;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.BrokerSecrets;
import fulcrum.common.topology.Topology;
import fulcrum.router.RouterMain;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.PrivateRabbitNode;
import fulcrum.worker.WorkerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The cluster chaos kills: a private RabbitMQ node, the router and N workers, each a separate JVM
 * started with this JVM's class path. Components are started one at a time by the fault thread
 * (and at the start and the end by the driver), so no locking beyond {@code synchronized}.
 */
final class Cluster implements AutoCloseable {
    static final String ROUTER = "mos-eisley";
    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);

    private final Path dir;
    private final int replicas;
    private final List<String> workerArgs;
    private final Map<String, JvmProcess> processes = new LinkedHashMap<>();
    private final Map<String, String> crashPointOf = new HashMap<>();
    private PrivateRabbitNode node;
    private String uri;
    private int starts;

    Cluster(Path dir, int replicas, List<String> workerArgs) {
        this.dir = dir;
        this.replicas = replicas;
        this.workerArgs = List.copyOf(workerArgs);
    }

    void startBroker() {
        node = PrivateRabbitNode.start(dir.resolve("rabbitmq"), null);
        uri = node.uri("/");
    }

    PrivateRabbitNode node() {
        return node;
    }

    String uri() {
        return uri;
    }

    List<String> replicaIds() {
        return Topology.replicaIds(replicas);
    }

    Path dataDir(String replicaId) {
        return dir.resolve("data").resolve(replicaId);
    }

    List<String> components() {
        List<String> out = new ArrayList<>();
        out.add(ROUTER);
        out.addAll(replicaIds());
        return out;
    }

    /** Starts a component (crashPoint: the FULCRUM_CRASH_POINT to arm, or null) and waits until it is READY or dead. */
    synchronized JvmProcess start(String name, String crashPoint) {
        Map<String, String> env = new HashMap<>();
        if (crashPoint != null) {
            env.put("FULCRUM_CRASH_POINT", crashPoint);
        }
        // the password travels in the child's environment, never in its argv
        Amqp.SplitUri split = Amqp.splitPassword(uri);
        if (split.password() != null) {
            env.put(BrokerSecrets.PASSWORD, split.password());
        }
        List<String> args = new ArrayList<>(List.of("--uri", split.uri(), "--replicas", Integer.toString(replicas)));
        String main;
        if (ROUTER.equals(name)) {
            main = RouterMain.class.getName();
        } else {
            main = WorkerMain.class.getName();
            args.addAll(List.of("--id", name, "--data-dir", dataDir(name).toString()));
            args.addAll(workerArgs);
        }
        JvmProcess p = JvmProcess.start(String.format("%s.%03d", name, ++starts), dir.resolve("logs"), env, main, args);
        processes.put(name, p);
        crashPointOf.put(name, crashPoint);
        long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        while (!p.output().contains("READY " + name)) {
            if (!p.isAlive()) {
                if (crashPoint != null && p.exitCode() == fulcrum.worker.CrashPoints.EXIT_CODE) {
                    return p; // hit its crash point while starting
                }
                throw new IllegalStateException(name + " exited " + p.exitCode() + " before it was ready:\n" + tail(p));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready after 90s:\n" + tail(p));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return p;
    }

    synchronized JvmProcess process(String name) {
        return processes.get(name);
    }

    synchronized String crashPoint(String name) {
        return crashPointOf.get(name);
    }

    synchronized void kill9(String name) {
        JvmProcess p = processes.get(name);
        if (p != null) {
            p.kill9();
        }
    }

    /** kill -9, then delete the component's data directory (a worker's lost disk). */
    synchronized void wipe(String replicaId) {
        kill9(replicaId);
        Path data = dataDir(replicaId);
        if (!Files.exists(data)) {
            return;
        }
        try (Stream<Path> all = Files.walk(data)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot wipe " + data + ": " + e.getMessage(), e);
        }
    }

    /** SIGTERM and wait for the clean exit; returns the exit code. */
    int stop(String name) {
        JvmProcess p = process(name);
        if (p == null || !p.isAlive()) {
            return p == null ? 0 : p.exitCode();
        }
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
        if (!p.awaitExit(120)) {
            p.kill9();
            return -1;
        }
        return p.exitCode();
    }

    static String tail(JvmProcess p) {
        String out = p.output();
        return out.length() <= 4000 ? out : out.substring(out.length() - 4000);
    }

    @Override
    public synchronized void close() {
        processes.values().forEach(JvmProcess::close);
        if (node != null) {
            node.close();
        }
    }
}
