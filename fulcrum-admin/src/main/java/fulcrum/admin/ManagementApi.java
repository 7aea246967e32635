package fulcrum.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.ConnectionFactory;
import fulcrum.common.amqp.Amqp;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The one thing {@code status} asks RabbitMQ's management API: per queue of the cluster's virtual
 * host, its unacknowledged messages (AMQP's passive declare tells only the ready ones and the
 * consumers). Read-only (one GET), with the AMQP URI's user and password. The API's figures are
 * statistics the broker refreshes every few seconds (its {@code collect_statistics_interval}), so
 * they may lag what the queues hold now.
 */
final class ManagementApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Per queue of the vhost, its unacknowledged messages (a queue the statistics do not cover yet is
     * absent), or why they could not be read ({@code error} non-null).
     */
    record Answer(String url, Map<String, Long> unacked, String error) {
        boolean ok() {
            return error == null;
        }
    }

    private ManagementApi() {
    }

    /** {@code http://<host of the AMQP URI>:15672}: where the management plugin listens by default. */
    static String defaultUrl(String amqpUri) {
        ConnectionFactory f = Amqp.factory(amqpUri);
        return "http://" + f.getHost() + ":15672";
    }

    /** Checks that {@code url} is an http(s) URL with a host; returns it without a trailing slash. */
    static String validate(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + url, e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("expected http://HOST:PORT or https://HOST:PORT, got " + url);
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    static Answer queues(String managementUrl, String amqpUri, Duration timeout) {
        ConnectionFactory f = Amqp.factory(amqpUri);
        String vhost = URLEncoder.encode(f.getVirtualHost(), StandardCharsets.UTF_8).replace("+", "%20");
        String path = "/api/queues/" + vhost + "?columns=name,messages_unacknowledged";
        String credentials = f.getUsername() + ":" + f.getPassword();
        HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .header("Accept", "application/json")
                .timeout(timeout)
                .GET()
                .build();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new Answer(managementUrl, Map.of(), "answered HTTP " + response.statusCode());
            }
            Map<String, Long> queues = new HashMap<>();
            for (JsonNode q : JSON.readTree(response.body())) {
                if (q.hasNonNull("name") && q.path("messages_unacknowledged").isIntegralNumber()) {
                    queues.put(q.get("name").asText(), q.get("messages_unacknowledged").asLong());
                }
            }
            return new Answer(managementUrl, queues, null);
        } catch (IOException e) {
            return new Answer(managementUrl, Map.of(), "unreachable (" + Amqp.rootMessage(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(managementUrl, Map.of(), "interrupted");
        }
    }
}
