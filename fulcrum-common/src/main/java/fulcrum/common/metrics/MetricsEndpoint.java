package fulcrum.common.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import fulcrum.common.wire.FulcrumJson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A daemon's HTTP side: {@code GET /metrics} (Prometheus text format) and {@code GET /health}
 * (200 while the daemon serves, 503 otherwise, with a small JSON body). One thread: scrapes are
 * rare and cheap, and a slow scraper must not take threads from the daemon.
 */
public final class MetricsEndpoint implements AutoCloseable {
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUrl;

    private MetricsEndpoint(HttpServer server, ExecutorService executor, URI baseUrl) {
        this.server = server;
        this.executor = executor;
        this.baseUrl = baseUrl;
    }

    /** Binds {@code host:port} (port 0: any free one) and serves until closed. */
    public static MetricsEndpoint start(String host, int port, String component, PrometheusMeterRegistry registry,
                                        Health health) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> {
            if (allowGet(exchange)) {
                respond(exchange, 200, PROMETHEUS_CONTENT_TYPE, registry.scrape());
            }
        });
        server.createContext("/health", exchange -> {
            if (allowGet(exchange)) {
                Health.Status status = health.check();
                ObjectNode body = FulcrumJson.MAPPER.createObjectNode();
                body.put("status", status.up() ? "UP" : "DOWN");
                body.put("component", component);
                body.put("detail", status.detail());
                respond(exchange, status.up() ? 200 : 503, "application/json", FulcrumJson.writeString(body));
            }
        });
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain; charset=utf-8",
                "not found: " + exchange.getRequestURI().getPath() + " (try /metrics or /health)\n"));
        server.start();
        InetSocketAddress bound = server.getAddress();
        String shownHost = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        return new MetricsEndpoint(server, executor, URI.create("http://" + shownHost + ":" + bound.getPort()));
    }

    /** {@code http://host:port}, for logs and status: {@code /metrics} and {@code /health} hang under it. */
    public URI baseUrl() {
        return baseUrl;
    }

    private static boolean allowGet(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        exchange.getResponseHeaders().add("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", "only GET\n");
        return false;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
