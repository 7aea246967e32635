package fulcrum.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway RabbitMQ node started from the installed {@code rabbitmq-server}, with its own node
 * name, ports and data directory, so that a test may kill -9 it and restart it on the same data.
 * It never touches the machine's own node; the launcher's private node (`./fulcrum`) follows the same recipe.
 */
public final class PrivateRabbitNode implements AutoCloseable {
    private static final Path SBIN = Path.of(System.getenv().getOrDefault("RABBITMQ_SBIN", "/usr/lib/rabbitmq/bin"));
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    /** Ports the nodes listen on are drawn from here: below the kernel's ephemeral range. */
    private static final int FIXED_PORTS_FROM = 20_000;
    private static final int FIXED_PORTS_TO = 32_768;
    private static final int FREE_PORT_ATTEMPTS = 200;

    private final int amqpPort;
    private final int managementPort;
    private final int distributionPort;
    private final String nodeName;
    private final Path definitions;
    private final TlsListener tls;
    private final int tlsPort;

    /**
     * A TLS listener ({@code amqps}) beside the plain one. PEM files, as RabbitMQ reads them.
     *
     * @param caCertificate   CA of the client certificates the node accepts
     * @param certificate     the node's certificate
     * @param key             its key
     * @param verifyPeer      whether a client certificate, when presented, must chain to {@code caCertificate}
     * @param requirePeerCert whether a client must present one
     */
    public record TlsListener(Path caCertificate, Path certificate, Path key, boolean verifyPeer, boolean requirePeerCert) {
    }

    private PrivateRabbitNode(Path dir, int amqpPort, int managementPort, int distributionPort, Path definitions) {
        this(dir, amqpPort, managementPort, distributionPort, definitions, null, -1);
    }

    private PrivateRabbitNode(Path dir, int amqpPort, int managementPort, int distributionPort, Path definitions,
                              TlsListener tls, int tlsPort) {
        this.dir = dir;
        this.amqpPort = amqpPort;
        this.managementPort = managementPort;
        this.distributionPort = distributionPort;
        this.nodeName = "fulcrum-test-" + amqpPort + "@localhost";
        this.definitions = definitions;
        this.tls = tls;
        this.tlsPort = tlsPort;
    }

    /** Starts a node with a TLS listener too (see {@link #tlsPort()}). */
    public static PrivateRabbitNode start(Path dir, Path definitions, TlsListener tls) {
        PrivateRabbitNode node = new PrivateRabbitNode(dir, freePort(), freePort(), freePort(), definitions, tls, freePort());
        node.writeConfig();
        node.boot();
        return node;
    }

    /** The port of the TLS listener, or -1 without one. */
    public int tlsPort() {
        return tlsPort;
    }

    /** Starts a node on free ports under {@code dir}; {@code definitions} (nullable) is loaded at boot. */
    public static PrivateRabbitNode start(Path dir, Path definitions) {
        PrivateRabbitNode node = new PrivateRabbitNode(dir, freePort(), freePort(), freePort(), definitions);
        node.writeConfig();
        node.boot();
        return node;
    }

    /** The directory of the RabbitMQ scripts the node is started from ($RABBITMQ_SBIN). */
    public static Path installation() {
        return SBIN;
    }

    public static boolean isInstalled() {
        return Files.isExecutable(SBIN.resolve("rabbitmq-server"));
    }

    public String uri(String vhost) {
        return "amqp://guest:guest@127.0.0.1:" + amqpPort + "/" + encodeVhost(vhost);
    }

    public int amqpPort() {
        return amqpPort;
    }

    public int managementPort() {
        return managementPort;
    }

    public String nodeName() {
        return nodeName;
    }

    public Path directory() {
        return dir;
    }

    /** A crash: SIGKILL to the Erlang VM. The data directory stays. */
    public void kill9() {
        long pid = readPid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        awaitPortClosed();
    }

    /** Starts the node again on the same data, ports and name. */
    public void restart() {
        boot();
    }

    /** Runs rabbitmqctl against this node and returns its standard output. */
    public String rabbitmqctl(String... args) {
        List<String> command = new ArrayList<>(List.of(SBIN.resolve("rabbitmqctl").toString(), "-n", nodeName));
        command.addAll(List.of(args));
        return run(command, Duration.ofSeconds(60));
    }

    /**
     * Messages in {@code queue} of {@code vhost} that the broker still holds: ready plus delivered and
     * not yet acknowledged (read from the node itself, not from the management API's periodic stats).
     */
    public long messagesHeld(String vhost, String queue) {
        for (String line : rabbitmqctl("-q", "--no-table-headers", "list_queues", "-p", vhost, "name", "messages_ready",
                "messages_unacknowledged").split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length == 3 && cells[0].equals(queue)) {
                return Long.parseLong(cells[1]) + Long.parseLong(cells[2]);
            }
        }
        throw new IllegalStateException("no queue " + queue + " in virtual host " + vhost);
    }

    /**
     * Closes, from the broker's side, every connection of {@code vhost} whose client gave the name
     * {@code connectionName} (as a network failure would); returns how many it closed.
     */
    public int closeConnections(String vhost, String connectionName) {
        int closed = 0;
        for (String line : rabbitmqctl("-q", "--no-table-headers", "list_connections", "pid", "vhost", "client_properties")
                .split("\n")) {
            // client_properties holds the connection name the client gave, among other properties
            String[] cells = line.trim().split("\t");
            if (cells.length == 3 && cells[1].equals(vhost) && cells[2].contains("\"" + connectionName + "\"")) {
                rabbitmqctl("close_connection", cells[0], "test: simulated network failure");
                closed++;
            }
        }
        return closed;
    }

    @Override
    public void close() {
        if (Files.exists(dir.resolve("node.pid"))) {
            kill9();
        }
    }

    private void writeConfig() {
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(dir.resolve("log"));
            StringBuilder conf = new StringBuilder()
                    .append("listeners.tcp.default = ").append(amqpPort).append('\n')
                    .append("management.tcp.port = ").append(managementPort).append('\n')
                    .append("loopback_users = none\n");
            if (definitions != null) {
                conf.append("load_definitions = ").append(definitions.toAbsolutePath()).append('\n');
            }
            if (tls != null) {
                conf.append("listeners.ssl.default = ").append(tlsPort).append('\n')
                        .append("ssl_options.cacertfile = ").append(tls.caCertificate().toAbsolutePath()).append('\n')
                        .append("ssl_options.certfile = ").append(tls.certificate().toAbsolutePath()).append('\n')
                        .append("ssl_options.keyfile = ").append(tls.key().toAbsolutePath()).append('\n')
                        .append("ssl_options.verify = ").append(tls.verifyPeer() ? "verify_peer" : "verify_none").append('\n')
                        .append("ssl_options.fail_if_no_peer_cert = ").append(tls.requirePeerCert()).append('\n');
            }
            Files.writeString(dir.resolve("rabbitmq.conf"), conf.toString());
            Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_management].\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distributionPort));
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("data").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_PID_FILE", dir.resolve("node.pid").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("none").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        return env;
    }

    private void boot() {
        run(List.of(SBIN.resolve("rabbitmq-server").toString(), "-detached"), Duration.ofSeconds(60));
        // `wait` blocks until the pid file appears and the broker application has started
        run(List.of(SBIN.resolve("rabbitmqctl").toString(), "-n", nodeName, "--timeout",
                Long.toString(BOOT_TIMEOUT.toSeconds()), "wait", dir.resolve("node.pid").toString()),
                BOOT_TIMEOUT.plusSeconds(10));
    }

    private String run(List<String> command, Duration timeout) {
        try {
            Path out = Files.createTempFile(dir, "cmd", ".out");
            // the node's working directory is its own, so an Erlang crash dump lands beside its data
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            builder.environment().putAll(environment());
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ": "
                        + output + "\nlogs under " + dir.resolve("log"));
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private long readPid() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("node.pid")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitPortClosed() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", amqpPort)) {
                Thread.onSpinWait();
            } catch (IOException closed) {
                return;
            }
        }
        throw new IllegalStateException("port " + amqpPort + " still open after kill -9");
    }

    /**
     * A port that is free now and that the kernel does not hand out as a connection's source port:
     * one below Linux's ephemeral range (32768–60999 by default). A port the kernel picked (port 0)
     * lies inside that range, and an outgoing connection took one before the node bound it (its
     * management listener then failed with eaddrinuse and the node did not start).
     */
    private static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
            int port = random.nextInt(FIXED_PORTS_FROM, FIXED_PORTS_TO);
            try (ServerSocket socket = new ServerSocket(port)) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // in use: try another
            }
        }
        throw new IllegalStateException("no free port in " + FIXED_PORTS_FROM + ".." + FIXED_PORTS_TO + " after "
                + FREE_PORT_ATTEMPTS + " attempts");
    }

    static String encodeVhost(String vhost) {
        return "/".equals(vhost) ? "%2f" : java.net.URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    }
}
