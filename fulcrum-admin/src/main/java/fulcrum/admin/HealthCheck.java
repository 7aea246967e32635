package fulcrum.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks daemons' {@code /health} endpoints, all at once: 200 is up, 503 (or any other answer) down,
 * no answer unreachable; the detail is the daemon's own words ({@code {"status","component","detail"}}).
 */
final class HealthCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one component's endpoint said: {@code state} is UP, DOWN or UNREACHABLE. */
    record Answer(String url, String state, Integer httpStatus, String detail) {
        String text() {
            return state + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    private HealthCheck() {
    }

    /** An http(s) URL with a host, or an IllegalArgumentException saying what is wrong. */
    static String validate(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + url);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("expected http://host:port/health, got " + url);
        }
        return url;
    }

    /** Per component name (in the given order), what its endpoint answered within {@code timeout}. */
    static Map<String, Answer> check(Map<String, String> urls, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        Map<String, CompletableFuture<Answer>> pending = new LinkedHashMap<>();
        urls.forEach((name, url) -> pending.put(name, client
                .sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> answer(url, r.statusCode(), r.body()))
                .exceptionally(e -> new Answer(url, "UNREACHABLE", null, reason(e)))));
        Map<String, Answer> answers = new LinkedHashMap<>();
        pending.forEach((name, f) -> answers.put(name, f.join()));
        return answers;
    }

    private static Answer answer(String url, int status, String body) {
        String detail;
        try {
            JsonNode json = JSON.readTree(body);
            detail = json.path("detail").asText("");
        } catch (IOException e) {
            detail = body.lines().findFirst().orElse("").strip();
        }
        return new Answer(url, status == 200 ? "UP" : "DOWN", status, status == 200 || status == 503 ? detail
                : "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail));
    }

    private static String reason(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String message = cause.getMessage();
        String kind = cause instanceof java.net.ConnectException ? "connection refused"
                : cause instanceof java.net.http.HttpTimeoutException ? "no answer in time" : cause.getClass().getSimpleName();
        return message == null || message.isBlank() || kind.equals("connection refused") ? kind : kind + ": " + message;
    }
}
