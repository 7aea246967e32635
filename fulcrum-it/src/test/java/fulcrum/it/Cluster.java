package fulcrum.it;

import static org.awaitility.Awaitility.await;

import fulcrum.common.topology.Topology;
import fulcrum.router.RouterMain;
import fulcrum.testkit.JvmProcess;
import fulcrum.worker.WorkerMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A router and N workers, each a separate JVM, on one virtual host of the test broker. */
final class Cluster implements AutoCloseable {
    private final String uri;
    private final int replicas;
    private final Path dir;
    private final Map<String, JvmProcess> processes = new LinkedHashMap<>();

    Cluster(String uri, int replicas, Path dir) {
        this.uri = uri;
        this.replicas = replicas;
        this.dir = dir;
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

    Cluster startAll() {
        startRouter();
        replicaIds().forEach(id -> startWorker(id, Map.of()));
        return this;
    }

    void startRouter() {
        start("mos-eisley", Map.of(), RouterMain.class.getName(),
                List.of("--uri", uri, "--replicas", Integer.toString(replicas)));
    }

    void startWorker(String id, Map<String, String> env) {
        startWorker(id, env, List.of());
    }

    /** Starts a worker with extra command-line options (e.g. {@code --merge-interval 1h}). */
    void startWorker(String id, Map<String, String> env, List<String> extraArgs) {
        List<String> args = new java.util.ArrayList<>(List.of("--id", id, "--replicas", Integer.toString(replicas),
                "--uri", uri, "--data-dir", dataDir(id).toString()));
        args.addAll(extraArgs);
        start(id, env, WorkerMain.class.getName(), args);
    }

    JvmProcess process(String name) {
        return processes.get(name);
    }

    void kill9(String name) {
        processes.remove(name).kill9();
    }

    private void start(String name, Map<String, String> env, String mainClass, List<String> args) {
        JvmProcess process = JvmProcess.start(name + "-" + System.nanoTime(), dir.resolve("logs"), env, mainClass, args);
        processes.put(name, process);
        await("READY " + name).atMost(Duration.ofSeconds(60))
                .failFast(() -> !process.isAlive() && !process.output().contains("READY " + name))
                .until(() -> process.output().contains("READY " + name));
    }

    @Override
    public void close() {
        processes.values().forEach(JvmProcess::close);
        processes.clear();
    }
}
