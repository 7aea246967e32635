package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.domain.Command;
import fulcrum.testkit.TestBroker;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker closes the worker's connection (as on a network failure): automatic recovery brings
 * the consumer back, and commands sent before and after are each applied once.
 */
class WorkerRecoveryTest {
    private static final String VHOST_PREFIX = "worker-recovery";

    @TempDir
    Path dataDir;

    @Test
    void theWorkerResumesAfterTheBrokerDropsItsConnection() throws Exception {
        assumeTrue(TestBroker.externalUri().isEmpty(), "needs the private node's management API");
        String uri = TestBroker.freshVirtualHost(VHOST_PREFIX);
        String vhost = java.net.URLDecoder.decode(uri.substring(uri.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
        try (InProcessWorker worker = new InProcessWorker(uri, dataDir, "fulcrum-1", 8, 4);
             TestClient client = new TestClient(uri, "fulcrum-1")) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(client.send(Command.addCity("Endor", "Village_" + i, i)));
            }
            String name = Awaitility.await("worker connection listed").atMost(TestClient.WAIT)
                    .until(() -> workerConnection(vhost), Optional::isPresent).orElseThrow();
            http("DELETE", "/api/connections/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
            for (int i = 20; i < 40; i++) {
                ids.add(client.send(Command.addCity("Endor", "Village_" + i, i)));
            }
            for (String id : ids) {
                assertThat(client.awaitReply(id).ok()).as(id).isTrue();
            }
            assertThat(worker.store.countOperations()).isEqualTo(40);
            assertThat(client.call(Command.getNumberRebelds("Endor", "Village_39")).clock().toString()).isEqualTo("[40,0,0]");
        }
    }

    private static Optional<String> workerConnection(String vhost) throws Exception {
        JsonNode list = FulcrumJson.MAPPER.readTree(http("GET", "/api/vhosts/"
                + URLEncoder.encode(vhost, StandardCharsets.UTF_8) + "/connections"));
        for (JsonNode c : list) {
            if ("fulcrum-worker-fulcrum-1".equals(c.path("client_properties").path("connection_name").asText())) {
                return Optional.of(c.path("name").asText());
            }
        }
        return Optional.empty();
    }

    private static String http(String method, String path) throws Exception {
        int port = TestBroker.privateNode().managementPort();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("X-Reason", "test: simulated network failure")
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode() / 100).as(method + " " + path + ": " + response.body()).isEqualTo(2);
        return response.body();
    }
}
