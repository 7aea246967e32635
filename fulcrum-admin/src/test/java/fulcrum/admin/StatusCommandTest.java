package fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.MessageProperties;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.testkit.TestBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code fulcrum-admin status} against a real broker, in a fresh virtual host per test. */
class StatusCommandTest {
    private static final String LOADED = Topology.replicaCommandQueue("fulcrum-2");
    private static final Pattern QUEUE_LINE = Pattern.compile("^(\\S+)\\s+(\\d+)\\s+(\\d+)$", Pattern.MULTILINE);

    record Run(int exitCode, String out, String err) {
    }

    static Run admin(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AdminMain.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Queue name to {ready, consumers}, from the text table. */
    static Map<String, long[]> queueTable(String out) {
        Map<String, long[]> table = new HashMap<>();
        Matcher m = QUEUE_LINE.matcher(out);
        while (m.find()) {
            table.put(m.group(1), new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        return table;
    }

    @Test
    void listsEveryQueueWithItsDepthAndWhoConsumes() throws Exception {
        String uri = TestBroker.freshVirtualHost("admin-status");
        try (Connection connection = Amqp.connect(uri, "admin-status-test", Duration.ofSeconds(10))) {
            Channel channel = connection.createChannel();
            Topology.declare(channel, Topology.replicaIds(3));
            channel.confirmSelect();
            for (int i = 0; i < 4; i++) {
                channel.basicPublish("", LOADED, MessageProperties.PERSISTENT_BASIC,
                        ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
            // a pretend replica fulcrum-1 (both its queues) and half a router
            Channel consumers = connection.createChannel();
            for (String q : new String[] {Topology.replicaCommandQueue("fulcrum-1"), Topology.replicaMergeQueue("fulcrum-1"),
                    Topology.ROUTER_COMMANDS}) {
                consumers.basicConsume(q, false, new DefaultConsumer(consumers));
            }

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                Run run = admin("status", "--uri", uri);
                assertThat(run.exitCode()).as(run.err()).isZero();
                Map<String, long[]> table = queueTable(run.out());
                assertThat(table.keySet()).containsExactlyInAnyOrderElementsOf(
                        StatusProbe.queueNames(Topology.replicaIds(3)));
                table.forEach((queue, counts) ->
                        assertThat(counts[0]).as("ready in " + queue).isEqualTo(queue.equals(LOADED) ? 4 : 0));
                assertThat(table.get(Topology.replicaCommandQueue("fulcrum-1"))[1]).isEqualTo(1);
                assertThat(table.get(Topology.ROUTER_QUERIES)[1]).isZero();
                assertThat(run.out()).containsPattern("(?m)^fulcrum-1\\s+replica\\s+consuming\\s")
                        .containsPattern("(?m)^fulcrum-2\\s+replica\\s+not consuming\\s")
                        .containsPattern("(?m)^mos-eisley\\s+router\\s+partly consuming\\s");
            });

            Run json = admin("status", "--uri", uri, "--json");
            assertThat(json.exitCode()).isZero();
            JsonNode root = new ObjectMapper().readTree(json.out());
            assertThat(root.get("queues")).hasSize(9);
            for (JsonNode q : root.get("queues")) {
                assertThat(q.get("exists").asBoolean()).isTrue();
                assertThat(q.get("ready").asLong()).as(q.get("name").asText())
                        .isEqualTo(q.get("name").asText().equals(LOADED) ? 4 : 0);
            }
            assertThat(root.get("components").get(1).get("name").asText()).isEqualTo("fulcrum-1");
            assertThat(root.get("components").get(1).get("consuming").asBoolean()).isTrue();
            assertThat(root.get("broker").asText()).doesNotContain("guest:guest");
        }
    }

    @Test
    void aMissingQueueIsReportedNotACrash() throws Exception {
        String uri = TestBroker.freshVirtualHost("admin-missing");
        try (Connection connection = Amqp.connect(uri, "admin-missing-test", Duration.ofSeconds(10))) {
            Topology.declare(connection.createChannel(), Topology.replicaIds(2));
        }
        Run run = admin("status", "--uri", uri, "--replicas", "3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^fulcrum\\.fulcrum-3\\.commands\\s+MISSING$")
                .containsPattern("(?m)^fulcrum\\.fulcrum-3\\.merge\\s+MISSING$")
                .containsPattern("(?m)^fulcrum-3\\s+replica\\s+queue missing\\s");
        assertThat(queueTable(run.out())).containsKeys(Topology.replicaCommandQueue("fulcrum-2"), Topology.DEAD_LETTER_QUEUE);
    }

    @Test
    void unreachableBrokerExitsThreeWithOneLine() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run run = admin("status", "--uri", "amqp://guest:secret@127.0.0.1:" + closedPort + "/%2f", "--connect-timeout", "1");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().strip()).doesNotContain("\n").startsWith("fulcrum-admin: broker unreachable at")
                .doesNotContain("secret");
    }

    @Test
    void badCommandLinesExitTwo() {
        assertThat(admin().exitCode()).isEqualTo(2);
        assertThat(admin("status", "--replicas", "0").exitCode()).isEqualTo(2);
        assertThat(admin("status", "--uri", "http://nope").exitCode()).isEqualTo(2);
        assertThat(admin("no-such-command").exitCode()).isEqualTo(2);
    }
}
