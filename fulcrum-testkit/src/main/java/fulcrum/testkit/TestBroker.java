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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker a test talks to. By default one private node per test JVM (see
 * {@link PrivateRabbitNode}), with a fresh virtual host per test so tests never see each other's
 * queues. With {@code FULCRUM_TEST_RABBITMQ_URI} set, that broker is used instead, in its own
 * virtual host; tests that must kill the broker are then skipped.
 */
public final class TestBroker {
    public static final String EXTERNAL_URI_VARIABLE = "FULCRUM_TEST_RABBITMQ_URI";
    private static final AtomicInteger VHOSTS = new AtomicInteger();
    private static PrivateRabbitNode shared;

    private TestBroker() {
    }

    public static Optional<String> externalUri() {
        String uri = System.getenv(EXTERNAL_URI_VARIABLE);
        return uri == null || uri.isBlank() ? Optional.empty() : Optional.of(uri);
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
        Optional<String> external = externalUri();
        if (external.isPresent()) {
            URI uri = URI.create(external.get());
            String host = uri.getHost();
            String userInfo = uri.getUserInfo() == null ? "guest:guest" : uri.getUserInfo();
            int managementPort = Integer.parseInt(System.getenv().getOrDefault("FULCRUM_TEST_RABBITMQ_MANAGEMENT_PORT", "15672"));
            createVhost(host, managementPort, userInfo, vhost);
            return uri.getScheme() + "://" + userInfo + "@" + host + ":" + (uri.getPort() < 0 ? 5672 : uri.getPort())
                    + "/" + PrivateRabbitNode.encodeVhost(vhost);
        }
        PrivateRabbitNode node = privateNode();
        createVhost("127.0.0.1", node.managementPort(), "guest:guest", vhost);
        return node.uri(vhost);
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
