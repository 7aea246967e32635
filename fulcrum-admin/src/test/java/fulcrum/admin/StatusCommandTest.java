package fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.MessageProperties;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.metrics.DaemonMetrics;
import fulcrum.common.metrics.Health;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ReplicaStatus.JoinProgress;
import fulcrum.core.store.Phase;
import fulcrum.testkit.TestBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code fulcrum-admin status} against a real broker, in a fresh virtual host per test. Replicas are
 * stand-ins that announce {@link ReplicaStatus} through {@link PeerCodec} on {@code fulcrum.status}
 * every 100 ms, as a worker does every status interval.
 */
class StatusCommandTest {
    private static final String LOADED = Topology.replicaCommandQueue("fulcrum-2");
    private static final Pattern QUEUE_LINE = Pattern.compile("^(\\S+)\\s+(\\d+)\\s+(\\d+|\\?)\\s+(\\d+)$", Pattern.MULTILINE);

    record Run(int exitCode, String out, String err) {
    }

    static Run admin(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AdminMain.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Queue name to {ready, unacked (-1: unknown), consumers}, from the text table. */
    static Map<String, long[]> queueTable(String out) {
        Map<String, long[]> table = new HashMap<>();
        Matcher m = QUEUE_LINE.matcher(out);
        while (m.find()) {
            table.put(m.group(1), new long[] {Long.parseLong(m.group(2)), m.group(3).equals("?") ? -1 : Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4))});
        }
        return table;
    }

    /** The test broker's management API. */
    static String managementUrl() {
        return TestBroker.managementUrl();
    }

    /** Stand-in replicas: announces each status on fulcrum.status every 100 ms until closed. */
    static final class Announcer implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Announcer(Connection connection, List<ReplicaStatus> statuses) throws IOException {
            Channel channel = connection.createChannel();
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        for (ReplicaStatus s : statuses) {
                            channel.basicPublish(Topology.STATUS_EXCHANGE, "", new AMQP.BasicProperties.Builder()
                                    .contentType(Amqp.CONTENT_TYPE).type(s.type()).deliveryMode(1).build(), PeerCodec.encode(s));
                        }
                    } catch (IOException e) {
                        return;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // a status interval
                }
            }, "announcer");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    @Test
    void listsEveryQueueWithItsDepthUnackedAndConsumers() throws Exception {
        String uri = TestBroker.freshVirtualHost("admin-status");
        try (Connection connection = Amqp.connect(uri, "admin-status-test", Duration.ofSeconds(10))) {
            Channel channel = connection.createChannel();
            Topology.declare(channel, Topology.replicaIds(3));
            channel.confirmSelect();
            for (int i = 0; i < 6; i++) {
                channel.basicPublish("", LOADED, MessageProperties.PERSISTENT_BASIC,
                        ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
            // a pretend replica fulcrum-1 (both its queues), half a router, and a consumer of LOADED
            // that holds two deliveries without acking them
            Channel consumers = connection.createChannel();
            for (String q : new String[] {Topology.replicaCommandQueue("fulcrum-1"), Topology.replicaMergeQueue("fulcrum-1"),
                    Topology.ROUTER_COMMANDS}) {
                consumers.basicConsume(q, false, new DefaultConsumer(consumers));
            }
            Channel holder = connection.createChannel();
            holder.basicQos(2);
            holder.basicConsume(LOADED, false, new DefaultConsumer(holder));

            // the management API's statistics catch up within a few seconds: ask until they show the two
            Run[] last = new Run[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                last[0] = admin("status", "--uri", uri, "--listen", "0s", "--management-url", managementUrl());
                long[] loaded = queueTable(last[0].out()).get(LOADED);
                return loaded != null && loaded[1] == 2;
            });
            Run run = last[0];
            assertThat(run.exitCode()).as(run.err()).isZero();
            Map<String, long[]> table = queueTable(run.out());
            assertThat(table.keySet()).containsExactlyInAnyOrderElementsOf(StatusProbe.queueNames(Topology.replicaIds(3)));
            table.forEach((queue, counts) -> {
                assertThat(counts[0]).as("ready in " + queue).isEqualTo(queue.equals(LOADED) ? 4 : 0);
                assertThat(counts[1]).as("unacked in " + queue).isGreaterThanOrEqualTo(0);
            });
            assertThat(table.get(LOADED)[2]).isEqualTo(1);
            assertThat(table.get(Topology.replicaCommandQueue("fulcrum-1"))[2]).isEqualTo(1);
            assertThat(table.get(Topology.ROUTER_QUERIES)[2]).isZero();
            assertThat(run.out()).containsPattern("(?m)^QUEUE\\s+READY\\s+UNACKED\\s+CONSUMERS$")
                    .contains("unacked: from the management API at " + managementUrl())
                    .containsPattern("(?m)^fulcrum-1\\s+replica\\s+consuming\\s")
                    .containsPattern("(?m)^fulcrum-2\\s+replica\\s+partly consuming\\s")
                    .containsPattern("(?m)^fulcrum-3\\s+replica\\s+not consuming\\s")
                    .containsPattern("(?m)^mos-eisley\\s+router\\s+partly consuming\\s");

            Run json = admin("status", "--uri", uri, "--json", "--listen", "0s", "--management-url", managementUrl());
            assertThat(json.exitCode()).isZero();
            JsonNode root = new ObjectMapper().readTree(json.out());
            assertThat(root.get("queues")).hasSize(StatusProbe.queueNames(Topology.replicaIds(3)).size());
            for (JsonNode q : root.get("queues")) {
                assertThat(q.get("exists").asBoolean()).isTrue();
                assertThat(q.get("ready").asLong()).as(q.get("name").asText())
                        .isEqualTo(q.get("name").asText().equals(LOADED) ? 4 : 0);
                assertThat(q.get("unacked").isNumber()).isTrue();
            }
            assertThat(root.get("management").get("asked").asBoolean()).isTrue();
            assertThat(root.get("management").has("error")).isFalse();
            assertThat(root.get("components").get(1).get("name").asText()).isEqualTo("fulcrum-1");
            assertThat(root.get("components").get(1).get("consuming").asBoolean()).isTrue();
            assertThat(root.get("broker").asText()).doesNotContain("guest:guest");
        }
    }

    @Test
    void showsWhatEachReplicaAnnouncesWithItsLagAndJoinProgress() throws Exception {
        String uri = TestBroker.freshVirtualHost("admin-status-replicas");
        Map<String, Long> full = Map.of("fulcrum-1", 5L, "fulcrum-2", 3L, "fulcrum-3", 2L);
        ReplicaStatus one = new ReplicaStatus("fulcrum-1", 4242, Phase.SERVING, full, 5, Map.of("fulcrum-1", 2L, "fulcrum-3", 1L),
                Map.of("NUMBER_LOST", 2L), null);
        ReplicaStatus two = new ReplicaStatus("fulcrum-2", 77, Phase.JOINING, Map.of("fulcrum-1", 1L), 0, Map.of(), Map.of(),
                new JoinProgress("copying", "fulcrum-1", 3, 1200, 3));
        ReplicaStatus three = new ReplicaStatus("fulcrum-3", 9, Phase.SERVING, Map.of("fulcrum-1", 4L, "fulcrum-2", 3L,
                "fulcrum-3", 2L), 2, Map.of(), Map.of(), null);
        try (Connection connection = Amqp.connect(uri, "admin-status-test", Duration.ofSeconds(10))) {
            Channel channel = connection.createChannel();
            Topology.declare(channel, Topology.replicaIds(3));
            // fulcrum-1 and fulcrum-3 consume both queues; the joining fulcrum-2 only its merge queue
            for (String q : new String[] {Topology.replicaCommandQueue("fulcrum-1"), Topology.replicaMergeQueue("fulcrum-1"),
                    Topology.replicaMergeQueue("fulcrum-2"), Topology.replicaCommandQueue("fulcrum-3"),
                    Topology.replicaMergeQueue("fulcrum-3")}) {
                channel.basicConsume(q, false, new DefaultConsumer(channel));
            }
            Run run;
            Run json;
            try (Announcer ignored = new Announcer(connection, List.of(one, two, three))) {
                // stops listening as soon as all three announced; the bound only guards against a hang
                run = admin("status", "--uri", uri, "--listen", "60s", "--no-management");
                json = admin("status", "--uri", uri, "--listen", "60s", "--no-management", "--json");
            }
            assertThat(run.exitCode()).as(run.err()).isZero();
            String o = "\\[fulcrum-1,fulcrum-2,fulcrum-3\\]";
            assertThat(run.out())
                    .containsPattern("(?m)^REPLICA\\s+PHASE\\s+INCARNATION\\s+APPLIED " + o + "\\s+LAG " + o + "\\s+PUBLISHED\\s+COMPACTED "
                            + o + "\\s+CONFLICTS\\s+JOIN$")
                    .containsPattern("(?m)^fulcrum-1\\s+SERVING\\s+4242\\s+\\[5,3,2\\]\\s+\\[0,0,0\\]\\s+5\\s+\\[2,0,1\\]\\s+2 \\(NUMBER_LOST=2\\)\\s+-$")
                    .containsPattern("(?m)^fulcrum-2\\s+JOINING\\s+77\\s+\\[1,0,0\\]\\s+\\[4,3,2\\]\\s+0\\s+\\[0,0,0\\]\\s+0\\s+"
                            + "copying from fulcrum-1: 3 page\\(s\\), 1200 item\\(s\\); own stream held to #3$")
                    .containsPattern("(?m)^fulcrum-3\\s+SERVING\\s+9\\s+\\[4,3,2\\]\\s+\\[1,0,0\\]\\s+2\\s+\\[0,0,0\\]\\s+0\\s+-$")
                    .containsPattern("(?m)^fulcrum-2\\s+replica\\s+joining \\(commands wait\\)\\s")
                    .containsPattern("(?m)^fulcrum-1\\s+replica\\s+consuming\\s")
                    .contains("unacked: not asked (--no-management)");
            assertThat(queueTable(run.out()).get(LOADED)[1]).isEqualTo(-1);

            assertThat(json.exitCode()).isZero();
            JsonNode root = new ObjectMapper().readTree(json.out());
            JsonNode r2 = root.get("replicaStatus").get(1);
            assertThat(r2.get("replica").asText()).isEqualTo("fulcrum-2");
            assertThat(r2.get("phase").asText()).isEqualTo("JOINING");
            assertThat(r2.get("incarnation").asLong()).isEqualTo(77);
            assertThat(r2.get("lag").get("fulcrum-1").asLong()).isEqualTo(4);
            assertThat(r2.get("lag").get("fulcrum-3").asLong()).isEqualTo(2);
            assertThat(r2.get("join").get("stage").asText()).isEqualTo("copying");
            assertThat(r2.get("join").get("pages").asLong()).isEqualTo(3);
            assertThat(r2.get("join").get("items").asLong()).isEqualTo(1200);
            assertThat(r2.get("join").get("ownHeld").asLong()).isEqualTo(3);
            JsonNode r1 = root.get("replicaStatus").get(0);
            assertThat(r1.get("compacted").get("fulcrum-1").asLong()).isEqualTo(2);
            assertThat(r1.get("published").asLong()).isEqualTo(5);
            assertThat(r1.get("join").isNull()).isTrue();
            assertThat(root.get("queues").get(2).get("unacked").isNull()).isTrue();
        }
    }

    @Test
    void replicasThatDoNotAnnounceAreNamedAndAnUnreachableManagementApiIsSaid() throws Exception {
        String uri = TestBroker.freshVirtualHost("admin-status-silent");
        try (Connection connection = Amqp.connect(uri, "admin-status-test", Duration.ofSeconds(10))) {
            Topology.declare(connection.createChannel(), Topology.replicaIds(2));
        }
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run run = admin("status", "--uri", uri, "--replicas", "2", "--listen", "200ms",
                "--management-url", "http://127.0.0.1:" + closedPort);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^fulcrum-1\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-\\s+no announcement within 200ms$")
                .containsPattern("(?m)^fulcrum-2\\s+-.*no announcement within 200ms$")
                .contains("unacked: unknown, the management API at http://127.0.0.1:" + closedPort + " unreachable");
        assertThat(queueTable(run.out()).get(Topology.DEAD_LETTER_QUEUE)).containsExactly(0L, -1L, 0L);
    }

    @Test
    void eachComponentsHealthEndpointIsAskedAndShownWithIt() throws Exception {
        String uri = TestBroker.freshVirtualHost("admin-status-health");
        try (Connection connection = Amqp.connect(uri, "admin-status-test", Duration.ofSeconds(10))) {
            Topology.declare(connection.createChannel(), Topology.replicaIds(3));
        }
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (DaemonMetrics serving = DaemonMetrics.start("fulcrum-1", List.of(), "127.0.0.1", 0,
                () -> Health.Status.up("serving: consuming fulcrum.fulcrum-1.commands"));
             DaemonMetrics joining = DaemonMetrics.start("fulcrum-2", List.of(), "127.0.0.1", 0,
                     () -> Health.Status.down("joining (commands wait): copying from fulcrum-1"))) {
            String up = serving.baseUrl() + "/health";
            String down = joining.baseUrl() + "/health";
            String gone = "http://127.0.0.1:" + closedPort + "/health";
            String[] args = {"status", "--uri", uri, "--listen", "0s", "--no-management", "--health", "fulcrum-1=" + up,
                    "--health", "fulcrum-2=" + down, "--health", "fulcrum-3=" + gone};
            Run run = admin(args);
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).containsPattern("(?m)^COMPONENT\\s+ROLE\\s+STATE\\s+CONSUMERS\\s+HEALTH$")
                    .containsPattern("(?m)^mos-eisley\\s+router\\s.*\\s-$")
                    .containsPattern("(?m)^fulcrum-1\\s+replica\\s.*\\sUP \\(serving: consuming fulcrum.fulcrum-1.commands\\) "
                            + Pattern.quote(up) + "$")
                    .containsPattern("(?m)^fulcrum-2\\s+replica\\s.*\\sDOWN \\(joining \\(commands wait\\): copying from fulcrum-1\\) "
                            + Pattern.quote(down) + "$")
                    .containsPattern("(?m)^fulcrum-3\\s+replica\\s.*\\sUNREACHABLE \\(connection refused\\) " + Pattern.quote(gone) + "$");

            String[] jsonArgs = java.util.Arrays.copyOf(args, args.length + 1);
            jsonArgs[args.length] = "--json";
            Run json = admin(jsonArgs);
            assertThat(json.exitCode()).as(json.err()).isZero();
            JsonNode components = new ObjectMapper().readTree(json.out()).get("components");
            assertThat(components.get(0).get("health").isNull()).as("not asked for the router").isTrue();
            JsonNode one = components.get(1).get("health");
            assertThat(one.get("state").asText()).isEqualTo("UP");
            assertThat(one.get("httpStatus").asInt()).isEqualTo(200);
            assertThat(one.get("url").asText()).isEqualTo(up);
            JsonNode two = components.get(2).get("health");
            assertThat(two.get("state").asText()).isEqualTo("DOWN");
            assertThat(two.get("httpStatus").asInt()).isEqualTo(503);
            assertThat(two.get("detail").asText()).isEqualTo("joining (commands wait): copying from fulcrum-1");
            JsonNode three = components.get(3).get("health");
            assertThat(three.get("state").asText()).isEqualTo("UNREACHABLE");
            assertThat(three.get("httpStatus").isNull()).isTrue();
        }

        Run noSuchComponent = admin("status", "--uri", uri, "--health", "fulcrum-9=http://127.0.0.1:1/health");
        assertThat(noSuchComponent.exitCode()).isEqualTo(2);
        assertThat(noSuchComponent.err()).contains("--health fulcrum-9", "not a component");
        Run notHttp = admin("status", "--uri", uri, "--health", "fulcrum-1=ftp://host/health");
        assertThat(notHttp.exitCode()).isEqualTo(2);
        assertThat(notHttp.err()).contains("--health fulcrum-1", "expected http://host:port/health");
        assertThat(admin("status", "--uri", uri, "--health", "fulcrum-1").exitCode()).as("no URL").isEqualTo(2);
    }

    @Test
    void aMissingQueueIsReportedNotACrash() throws Exception {
        String uri = TestBroker.freshVirtualHost("admin-missing");
        try (Connection connection = Amqp.connect(uri, "admin-missing-test", Duration.ofSeconds(10))) {
            Topology.declare(connection.createChannel(), Topology.replicaIds(2));
        }
        Run run = admin("status", "--uri", uri, "--replicas", "3", "--listen", "0s", "--no-management");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^fulcrum\\.fulcrum-3\\.commands\\s+MISSING$")
                .containsPattern("(?m)^fulcrum\\.fulcrum-3\\.merge\\s+MISSING$")
                .containsPattern("(?m)^fulcrum-3\\s+replica\\s+queue missing\\s");
        assertThat(queueTable(run.out())).containsKeys(Topology.replicaCommandQueue("fulcrum-2"), Topology.DEAD_LETTER_QUEUE);
    }

    @Test
    void noTopologyAtAllIsReportedNotACrash() {
        String uri = TestBroker.freshVirtualHost("admin-status-empty");
        Run run = admin("status", "--uri", uri, "--listen", "0s", "--no-management");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^fulcrum-1\\s+-.*fulcrum\\.status does not exist$")
                .containsPattern("(?m)^fulcrum\\.dead-letters\\s+MISSING$");
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
        assertThat(admin("status", "--listen", "soon").exitCode()).isEqualTo(2);
        Run badManagement = admin("status", "--management-url", "ftp://host");
        assertThat(badManagement.exitCode()).isEqualTo(2);
        assertThat(badManagement.err()).contains("--management-url");
        assertThat(admin("no-such-command").exitCode()).isEqualTo(2);
    }
}
