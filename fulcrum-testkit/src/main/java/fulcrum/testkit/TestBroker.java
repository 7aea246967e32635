package fulcrum.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The broker a test talks to, chosen once per test JVM and logged:
 * <ol>
 *   <li>{@code FULCRUM_TEST_RABBITMQ_URI} set: that broker;</li>
 *   <li>else, when a Docker engine answers (and {@code FULCRUM_TEST_BROKER} is not {@code private}):
 *       a RabbitMQ container through Testcontainers;</li>
 *   <li>else a private node started from the installed RabbitMQ (see {@link PrivateRabbitNode}),
 *       the path CI takes.</li>
 * </ol>
 * {@code FULCRUM_TEST_BROKER=private|container} forces a choice. Every test gets a fresh virtual
 * host so tests never see each other's queues. Tests that kill the broker or call its
 * {@code rabbitmqctl} need the private node and are skipped on the others
 * ({@link #usesPrivateNode()}).
 */
public final class TestBroker {
    public static final String EXTERNAL_URI_VARIABLE = "FULCRUM_TEST_RABBITMQ_URI";
    public static final String CHOICE_VARIABLE = "FULCRUM_TEST_BROKER";
    private static final AtomicInteger VHOSTS = new AtomicInteger();
    private static PrivateRabbitNode shared;
    private static ContainerBroker container;
    private static Kind kind;

    /** Where the tests' broker comes from. */
    public enum Kind { EXTERNAL, CONTAINER, PRIVATE_NODE }

    private TestBroker() {
    }

    public static Optional<String> externalUri() {
        String uri = System.getenv(EXTERNAL_URI_VARIABLE);
        return uri == null || uri.isBlank() ? Optional.empty() : Optional.of(uri);
    }

    /** The broker of this JVM's tests, decided on first use (and logged). */
    public static synchronized Kind kind() {
        if (kind == null) {
            kind = choose();
        }
        return kind;
    }

    /** Whether tests run on the private node, the one they may kill and reach with rabbitmqctl. */
    public static boolean usesPrivateNode() {
        return kind() == Kind.PRIVATE_NODE;
    }

    /**
     * Decides and says so on stderr, once per JVM: not every module's tests have a logging
     * backend, and whoever reads a failing run needs to know which broker it ran against.
     */
    private static Kind choose() {
        Kind chosen = choose(System.getenv(), ContainerBroker.classesPresent(), ContainerBroker::dockerReachable);
        String why = System.getenv().getOrDefault(CHOICE_VARIABLE, "auto");
        System.err.println("[fulcrum-testkit] test broker: " + switch (chosen) {
            case EXTERNAL -> externalUri().orElseThrow().replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@")
                    + " (from " + EXTERNAL_URI_VARIABLE + ")";
            case CONTAINER -> "RabbitMQ container " + ContainerBroker.IMAGE + " through Testcontainers ("
                    + CHOICE_VARIABLE + "=" + why + (why.equals("auto") ? ", a Docker engine answers)" : ")");
            case PRIVATE_NODE -> "private RabbitMQ node from " + PrivateRabbitNode.installation() + " ("
                    + CHOICE_VARIABLE + "=" + why + (why.equals("auto") ? ", no Docker engine answers)" : ")");
        });
        return chosen;
    }

    /**
     * The choice, from the environment and what this machine has: an external URI wins; then
     * {@code FULCRUM_TEST_BROKER} (auto, private, container); auto takes a container only when
     * Testcontainers is present and a Docker engine answers (asked only then).
     */
    static Kind choose(Map<String, String> env, boolean testcontainersPresent, BooleanSupplier dockerReachable) {
        String uri = env.get(EXTERNAL_URI_VARIABLE);
        if (uri != null && !uri.isBlank()) {
            return Kind.EXTERNAL;
        }
        String choice = env.getOrDefault(CHOICE_VARIABLE, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (choice) {
            case "private" -> Kind.PRIVATE_NODE;
            case "container" -> {
                if (!testcontainersPresent) {
                    throw new IllegalStateException(CHOICE_VARIABLE + "=container, but Testcontainers is not on the class path");
                }
                yield Kind.CONTAINER;
            }
            case "auto", "" -> testcontainersPresent && dockerReachable.getAsBoolean() ? Kind.CONTAINER : Kind.PRIVATE_NODE;
            default -> throw new IllegalStateException(CHOICE_VARIABLE + " must be auto, private or container, not '" + choice + "'");
        };
    }

    private static synchronized ContainerBroker container() {
        if (container == null) {
            container = ContainerBroker.start();
            ContainerBroker started = container;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "stop-rabbitmq-container"));
        }
        return container;
    }

    /** The management API's base URL (http://host:port) of the tests' broker. */
    public static String managementUrl() {
        return switch (kind()) {
            case EXTERNAL -> "http://" + URI.create(externalUri().orElseThrow()).getHost() + ":" + externalManagementPort();
            case CONTAINER -> "http://" + container().host() + ":" + container().managementPort();
            case PRIVATE_NODE -> "http://127.0.0.1:" + privateNode().managementPort();
        };
    }

    private static int externalManagementPort() {
        return Integer.parseInt(System.getenv().getOrDefault("FULCRUM_TEST_RABBITMQ_MANAGEMENT_PORT", "15672"));
    }

    /** The shared private node of this JVM, started on first use and killed when the JVM exits. */
    public static synchronized PrivateRabbitNode privateNode() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "fulcrum-rabbit-");
                shared = PrivateRabbitNode.start(dir, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            PrivateRabbitNode node = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(node::close, "stop-private-rabbitmq"));
        }
        return shared;
    }

    /** The URI of a new, empty virtual host on the test broker. */
    public static String freshVirtualHost(String prefix) {
        String vhost = prefix + "-" + ProcessHandle.current().pid() + "-" + VHOSTS.incrementAndGet();
        switch (kind()) {
            case EXTERNAL -> {
                URI uri = URI.create(externalUri().orElseThrow());
                String host = uri.getHost();
                String userInfo = uri.getUserInfo() == null ? "guest:guest" : uri.getUserInfo();
                createVhost(host, externalManagementPort(), userInfo, vhost);
                return uri.getScheme() + "://" + userInfo + "@" + host + ":" + (uri.getPort() < 0 ? 5672 : uri.getPort())
                        + "/" + PrivateRabbitNode.encodeVhost(vhost);
            }
            case CONTAINER -> {
                ContainerBroker broker = container();
                createVhost(broker.host(), broker.managementPort(), broker.userInfo(), vhost);
                return "amqp://" + broker.userInfo() + "@" + broker.host() + ":" + broker.amqpPort()
                        + "/" + PrivateRabbitNode.encodeVhost(vhost);
            }
            default -> {
                PrivateRabbitNode node = privateNode();
                createVhost("127.0.0.1", node.managementPort(), "guest:guest", vhost);
                return node.uri(vhost);
            }
        }
    }

    /** The virtual host a URI of {@link #freshVirtualHost} names (its last path segment, decoded). */
    public static String virtualHost(String uri) {
        return java.net.URLDecoder.decode(uri.substring(uri.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
    }

    private static void createVhost(String host, int managementPort, String userInfo, String vhost) {
        String user = userInfo.split(":", 2)[0];
        String encoded = PrivateRabbitNode.encodeVhost(vhost);
        put(host, managementPort, userInfo, "/api/vhosts/" + encoded, "{}");
        put(host, managementPort, userInfo, "/api/permissions/" + encoded + "/" + user,
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
    }

    private static void put(String host, int port, String userInfo, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("management API at " + host + ":" + port + " unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
