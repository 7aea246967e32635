package fulcrum.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tag;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesPrometheusTextWithTheCommonTagsAndTheJvmMeters() throws Exception {
        try (DaemonMetrics metrics = DaemonMetrics.start("fulcrum-worker", List.of(Tag.of("replica", "fulcrum-2")),
                "127.0.0.1", 0, () -> Health.Status.up("serving"))) {
            Counter.builder("fulcrum.test.events").description("test").register(metrics.registry()).increment(3);

            HttpResponse<String> scrape = get(metrics.baseUrl() + "/metrics", "GET");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.PROMETHEUS_CONTENT_TYPE);
            assertThat(scrape.body())
                    .contains("fulcrum_test_events_total{replica=\"fulcrum-2\"} 3.0")
                    .contains("jvm_memory_used_bytes")
                    .contains("process_uptime_seconds");
        }
    }

    @Test
    void healthFollowsTheDaemonAndOtherRequestsAreRefusedPlainly() throws Exception {
        AtomicBoolean consuming = new AtomicBoolean(false);
        Health health = () -> consuming.get() ? Health.Status.up("consuming") : Health.Status.down("not connected");
        try (DaemonMetrics metrics = DaemonMetrics.start("mos-eisley", List.of(), "127.0.0.1", 0, health)) {
            HttpResponse<String> down = get(metrics.baseUrl() + "/health", "GET");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"status\":\"DOWN\",\"component\":\"mos-eisley\",\"detail\":\"not connected\"}");

            consuming.set(true);
            HttpResponse<String> up = get(metrics.baseUrl() + "/health", "GET");
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).contains("\"status\":\"UP\"");

            assertThat(get(metrics.baseUrl() + "/nothing", "GET").statusCode()).isEqualTo(404);
            assertThat(get(metrics.baseUrl() + "/metrics", "POST").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void aNegativePortMeansNoEndpoint() throws Exception {
        try (DaemonMetrics metrics = DaemonMetrics.start("fulcrum-worker", List.of(), "127.0.0.1", -1,
                () -> Health.Status.up("x"))) {
            assertThat(metrics.baseUrl()).isNull();
            assertThat(metrics.registry().scrape()).contains("jvm_threads_live_threads");
        }
    }

    private HttpResponse<String> get(String url, String method) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
