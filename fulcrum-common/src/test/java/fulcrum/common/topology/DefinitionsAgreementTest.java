package fulcrum.common.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.testkit.PrivateRabbitNode;
import fulcrum.testkit.TestBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rabbitmq-definitions.json} and {@link Topology#declare} describe the same broker objects:
 * a fresh node that imported the file at boot accepts the components' declarations (no
 * PRECONDITION_FAILED from differing arguments), and afterwards holds exactly the queues, exchanges
 * and bindings of the file: nothing missing from the file, nothing extra declared by a component.
 *
 * <p>Needs its own node (the file is loaded at boot), so it is skipped when the tests are told to
 * use an existing broker through {@code FULCRUM_TEST_RABBITMQ_URI}.
 */
class DefinitionsAgreementTest {
    private static final String FILE = "rabbitmq-definitions.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tempDir;

    @Test
    void definitionsFileMatchesTopologyDeclare() throws Exception {
        assumeTrue(TestBroker.externalUri().isEmpty(),
                "skipped: " + TestBroker.EXTERNAL_URI_VARIABLE + " is set, and this test needs a private node");
        assumeTrue(PrivateRabbitNode.isInstalled(), "skipped: rabbitmq-server is not installed");

        Path definitionsFile = findDefinitionsFile();
        JsonNode definitions = JSON.readTree(definitionsFile.toFile());
        Set<String> fileQueues = names(definitions.get("queues"));
        Set<String> fileExchanges = names(definitions.get("exchanges"));
        Set<String> fileBindings = bindings(definitions.get("bindings"));
        Map<String, JsonNode> fileQueueArguments = queueArguments(definitions.get("queues"));

        // the file by itself covers the topology of three replicas
        assertThat(fileQueues).contains(Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES, Topology.ROUTER_ROUTES,
                Topology.DEAD_LETTER_QUEUE,
                Topology.replicaCommandQueue("fulcrum-3"), Topology.replicaMergeQueue("fulcrum-3"));

        try (PrivateRabbitNode node = PrivateRabbitNode.start(tempDir.resolve("rabbit"), definitionsFile)) {
            Management api = new Management(node.managementPort());

            // imported at boot, guest included (we log in with it), with the file's arguments
            assertThat(api.queueNames()).isEqualTo(fileQueues);
            assertThat(api.queueArguments()).isEqualTo(fileQueueArguments);

            try (Connection connection = Amqp.connect(node.uri("/"), "definitions-agreement", Duration.ofSeconds(20))) {
                Channel channel = connection.createChannel();
                assertThatCode(() -> Topology.declare(channel, Topology.replicaIds(3)))
                        .as("Topology.declare on a node that imported " + FILE)
                        .doesNotThrowAnyException();
                assertThat(channel.isOpen()).as("channel still open (no PRECONDITION_FAILED)").isTrue();

                for (String queue : fileQueues) {
                    assertThatCode(() -> channel.queueDeclarePassive(queue)).as("queue " + queue).doesNotThrowAnyException();
                }
                for (String exchange : fileExchanges) {
                    assertThatCode(() -> channel.exchangeDeclarePassive(exchange)).as("exchange " + exchange)
                            .doesNotThrowAnyException();
                }
            }

            assertThat(api.queueNames()).as("queues after declare").isEqualTo(fileQueues);
            assertThat(api.exchangeNames()).as("exchanges after declare").isEqualTo(fileExchanges);
            assertThat(api.bindings()).as("bindings after declare").isEqualTo(fileBindings);
            assertThat(api.queueArguments()).as("queue arguments after declare").isEqualTo(fileQueueArguments);
        }
    }

    /** Walks up from the working directory (a module's directory under Maven) to the repository root. */
    static Path findDefinitionsFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(FILE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(FILE + " not found above " + Path.of("").toAbsolutePath());
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new TreeSet<>();
        array.forEach(n -> names.add(n.get("name").asText()));
        return names;
    }

    private static Map<String, JsonNode> queueArguments(JsonNode queues) {
        Map<String, JsonNode> arguments = new TreeMap<>();
        queues.forEach(q -> arguments.put(q.get("name").asText(), q.get("arguments")));
        return arguments;
    }

    /** Bindings as "source -> destination_type:destination [routing_key]", without the default exchange's. */
    private static Set<String> bindings(JsonNode array) {
        Set<String> bindings = new TreeSet<>();
        array.forEach(b -> {
            if (!b.get("source").asText().isEmpty()) {
                bindings.add(b.get("source").asText() + " -> " + b.get("destination_type").asText() + ":"
                        + b.get("destination").asText() + " [" + b.get("routing_key").asText() + "]");
            }
        });
        return bindings;
    }

    /** The management HTTP API of the private node, vhost "/" (HTTP/1.1: the API does not speak h2c). */
    private static final class Management {
        private final int port;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        Management(int port) {
            this.port = port;
        }

        Set<String> queueNames() throws IOException, InterruptedException {
            return names(get("/api/queues/%2f"));
        }

        Map<String, JsonNode> queueArguments() throws IOException, InterruptedException {
            return DefinitionsAgreementTest.queueArguments(get("/api/queues/%2f"));
        }

        /** User exchanges: the default exchange ("") and the predeclared amq.* ones are not ours. */
        Set<String> exchangeNames() throws IOException, InterruptedException {
            Set<String> names = names(get("/api/exchanges/%2f"));
            names.removeIf(n -> n.isEmpty() || n.startsWith("amq."));
            return names;
        }

        Set<String> bindings() throws IOException, InterruptedException {
            return DefinitionsAgreementTest.bindings(get("/api/bindings/%2f"));
        }

        private JsonNode get(String path) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Basic "
                            + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(10))
                    .GET().build();
            IOException last = null;
            for (int attempt = 0; attempt < 40; attempt++) {
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return JSON.readTree(response.body());
                    }
                    last = new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
                } catch (IOException e) {
                    last = e; // the management listener may come up a moment after the broker
                }
                Thread.sleep(250);
            }
            throw last;
        }
    }
}
