package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fulcrum.common.topology.Topology;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.router.RouterMain;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import fulcrum.testkit.JvmProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A router and N workers, each a separate JVM, on one virtual host of the test broker. Starting a
 * component waits for its {@code READY} line (connected); {@link #awaitServing} waits until a
 * worker serves (a worker on a new or lost store first joins its peers).
 */
final class Cluster implements AutoCloseable {
    static final String ROUTER = "mos-eisley";
    private static final Pattern METRICS_URL = Pattern.compile("metrics at (http://\\S+)/metrics");

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

    /** The router and every worker (default options), once all serve. */
    Cluster startAll() {
        return startAll(List.of());
    }

    Cluster startAll(List<String> workerArgs) {
        return startAll(List.of(), workerArgs);
    }

    /** The router with extra command-line options (e.g. {@code --route-table-validity 0}) and every worker. */
    Cluster startAll(List<String> routerArgs, List<String> workerArgs) {
        startRouter(routerArgs);
        replicaIds().forEach(id -> startWorker(id, Map.of(), workerArgs));
        replicaIds().forEach(this::awaitServing);
        return this;
    }

    void startRouter() {
        startRouter(List.of());
    }

    void startRouter(List<String> extraArgs) {
        List<String> args = new ArrayList<>(List.of("--uri", uri, "--replicas", Integer.toString(replicas)));
        args.addAll(extraArgs);
        start(ROUTER, Map.of(), RouterMain.class.getName(), args);
    }

    /** The base URL of a component's metrics endpoint, as it logged it at start. */
    String metricsUrl(String name) {
        Matcher url = METRICS_URL.matcher(processes.get(name).output());
        assertThat(url.find()).as(name + " logs its metrics URL").isTrue();
        return url.group(1);
    }

    void startWorker(String id, Map<String, String> env) {
        startWorker(id, env, List.of());
    }

    /** Starts a worker with extra command-line options (e.g. {@code --replication interval}). */
    void startWorker(String id, Map<String, String> env, List<String> extraArgs) {
        List<String> args = new ArrayList<>(List.of("--id", id, "--replicas", Integer.toString(replicas),
                "--uri", uri, "--data-dir", dataDir(id).toString()));
        args.addAll(extraArgs);
        start(id, env, fulcrum.worker.WorkerMain.class.getName(), args);
    }

    /** Waits until the worker consumes its command queue (it logs so when it starts to serve). */
    void awaitServing(String id) {
        JvmProcess process = processes.get(id);
        await(id + " serving").atMost(ReplicationProbe.WAIT).failFast(() -> !process.isAlive())
                .until(() -> process.output().contains(id + " serves: consuming"));
    }

    JvmProcess process(String name) {
        return processes.get(name);
    }

    void kill9(String name) {
        processes.remove(name).kill9();
    }

    /** SIGTERM, and the clean exit (0) that follows. */
    void stop(String name) {
        JvmProcess p = processes.remove(name);
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
        assertThat(p.awaitExit(120)).as(p.output()).isTrue();
        assertThat(p.exitCode()).as(name + ": " + p.output()).isZero();
    }

    /** Stops every worker (SIGTERM, clean exit) and returns each stopped store's canonical dump. */
    List<String> stopWorkersAndDump() {
        replicaIds().forEach(this::stop);
        List<String> dumps = new ArrayList<>();
        for (String id : replicaIds()) {
            try (ReadOnlyRocksStore store = RocksStore.openReadOnly(dataDir(id))) {
                dumps.add(CanonicalDump.of(replicaIds(), store.planets(), store.meta().appliedSeq()));
            }
        }
        return dumps;
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
