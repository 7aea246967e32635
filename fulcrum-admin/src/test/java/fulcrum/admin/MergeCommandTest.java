package fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import fulcrum.admin.StatusCommandTest.Run;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ReplicaStatus.JoinProgress;
import fulcrum.core.store.Phase;
import fulcrum.testkit.TestBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code fulcrum-admin merge} against a real broker. The replicas are stand-ins: plain AMQP
 * consumers of {@code fulcrum.<id>.merge} that answer a MergeNow with the {@link ReplicaStatus}
 * announcements they were given, encoded with the replicas' own {@link PeerCodec}, as a worker
 * announces after a MergeNow.
 */
class MergeCommandTest {
    private static final Map<String, Long> ALL = Map.of("fulcrum-1", 2L, "fulcrum-2", 1L);

    private final List<Connection> connections = new ArrayList<>();

    @AfterEach
    void closeConnections() {
        connections.forEach(c -> c.abort(2000));
    }

    /** A pretend replica: on each MergeNow it announces {@code announcements} in order, then acks. */
    static final class FakeReplica {
        final String id;
        final List<ReplicaStatus> announcements;
        final List<MergeNow> requests = new CopyOnWriteArrayList<>();
        final List<AMQP.BasicProperties> requestProperties = new CopyOnWriteArrayList<>();
        /** Bodies announced (type ReplicaStatus) before the announcements: what no codec accepts. */
        final List<String> garbage = new CopyOnWriteArrayList<>();

        FakeReplica(String id, List<Map<String, Long>> vectors) {
            this.id = id;
            this.announcements = vectors.stream().map(v -> serving(id, v)).toList();
        }

        FakeReplica(List<ReplicaStatus> announcements, String id) {
            this.id = id;
            this.announcements = announcements;
        }

        void start(Connection connection) throws IOException {
            Channel channel = connection.createChannel();
            channel.basicConsume(Topology.replicaMergeQueue(id), false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                        throws IOException {
                    try {
                        if (PeerCodec.decode(props.getType(), body, PeerCodec.MAX_MERGE_BODY_BYTES) instanceof MergeNow m) {
                            requests.add(m);
                            requestProperties.add(props);
                            for (String bad : garbage) {
                                channel.basicPublish(Topology.STATUS_EXCHANGE, "", new AMQP.BasicProperties.Builder()
                                        .type(ReplicaStatus.TYPE).build(), bad.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            }
                            for (ReplicaStatus status : announcements) {
                                channel.basicPublish(Topology.STATUS_EXCHANGE, "", new AMQP.BasicProperties.Builder()
                                        .contentType(Amqp.CONTENT_TYPE).type(status.type()).build(), PeerCodec.encode(status));
                            }
                        }
                    } catch (PeerCodec.UndecodableException e) {
                        throw new IOException(e);
                    }
                    channel.basicAck(envelope.getDeliveryTag(), false);
                }
            });
        }
    }

    static ReplicaStatus serving(String id, Map<String, Long> applied) {
        return new ReplicaStatus(id, 11, Phase.SERVING, applied, applied.getOrDefault(id, 0L), Map.of(),
                Map.of("NUMBER_LOST", 1L), null);
    }

    static ReplicaStatus joining(String id, Map<String, Long> applied, JoinProgress join) {
        return new ReplicaStatus(id, 12, Phase.JOINING, applied, 0, Map.of(), Map.of(), join);
    }

    String cluster(String prefix, int replicas, FakeReplica... fakes) throws Exception {
        String uri = TestBroker.freshVirtualHost(prefix);
        Connection connection = Amqp.connect(uri, prefix + "-replicas", Duration.ofSeconds(10));
        connections.add(connection);
        Topology.declare(connection.createChannel(), replicas == 0 ? List.of() : Topology.replicaIds(replicas));
        for (FakeReplica fake : fakes) {
            fake.start(connection);
        }
        return uri;
    }

    static Run admin(String... args) {
        return StatusCommandTest.admin(args);
    }

    @Test
    void convergedReplicasExitZeroWithTheirTable() throws Exception {
        FakeReplica one = new FakeReplica("fulcrum-1", List.of(ALL));
        FakeReplica two = new FakeReplica("fulcrum-2", List.of(ALL));
        // announces a lagging vector first, then (as after its merge) the full one: the latest counts
        FakeReplica three = new FakeReplica("fulcrum-3", List.of(Map.of("fulcrum-2", 1L), ALL));
        String uri = cluster("admin-merge-ok", 3, one, two, three);

        Run run = admin("merge", "--uri", uri, "--replicas", "3", "--timeout", "60s");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^REPLICA\\s+PHASE\\s+APPLIED \\[fulcrum-1,fulcrum-2,fulcrum-3\\]\\s+PUBLISHED\\s+CONFLICTS\\s+STATE$")
                .containsPattern("(?m)^fulcrum-1\\s+SERVING\\s+\\[2,1,0\\]\\s+2\\s+1 \\(NUMBER_LOST=1\\)\\s+ok$")
                .containsPattern("(?m)^fulcrum-3\\s+SERVING\\s+\\[2,1,0\\]\\s+0\\s+1 \\(NUMBER_LOST=1\\)\\s+ok$")
                .containsPattern("(?m)^converged$");
        assertThat(run.err()).isEmpty();
        // exactly one request, as every replica saw it: persistent JSON MergeNow with its id as message id
        for (FakeReplica fake : List.of(one, two, three)) {
            assertThat(fake.requests).hasSize(1);
            AMQP.BasicProperties props = fake.requestProperties.get(0);
            assertThat(props.getDeliveryMode()).isEqualTo(2);
            assertThat(props.getContentType()).isEqualTo("application/json");
            assertThat(props.getType()).isEqualTo(MergeNow.TYPE);
            assertThat(props.getMessageId()).isEqualTo(fake.requests.get(0).requestId());
        }
        assertThat(two.requests.get(0)).isEqualTo(one.requests.get(0));
    }

    @Test
    void jsonOutputOfAConvergedRound() throws Exception {
        String uri = cluster("admin-merge-json", 2, new FakeReplica("fulcrum-1", List.of(ALL)),
                new FakeReplica("fulcrum-2", List.of(ALL)));

        Run run = admin("merge", "--uri", uri, "--replicas", "2", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.get("converged").asBoolean()).isTrue();
        assertThat(root.get("replicas")).hasSize(2);
        assertThat(root.get("replicas").get(1).get("applied").get("fulcrum-1").asLong()).isEqualTo(2);
        assertThat(root.get("replicas").get(1).get("differs").asBoolean()).isFalse();
        assertThat(root.get("replicas").get(1).get("phase").asText()).isEqualTo("SERVING");
        assertThat(root.get("replicas").get(1).get("serving").asBoolean()).isTrue();
        assertThat(root.get("replicas").get(1).get("incarnation").asLong()).isEqualTo(11);
        assertThat(root.get("replicas").get(1).get("join").isNull()).isTrue();
        assertThat(root.get("target").get("fulcrum-2").asLong()).isEqualTo(1);
        assertThat(root.get("silent")).isEmpty();
        assertThat(root.get("differing")).isEmpty();
    }

    @Test
    void aSilentReplicaExitsThreeNamingIt() throws Exception {
        // fulcrum-2 has a merge queue but nobody consumes it: it never announces
        String uri = cluster("admin-merge-silent", 3, new FakeReplica("fulcrum-1", List.of(ALL)),
                new FakeReplica("fulcrum-3", List.of(ALL)));

        Run run = admin("merge", "--uri", uri, "--timeout", "2s");

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(3);
        assertThat(run.out()).containsPattern("(?m)^fulcrum-2\\s+-\\s+-\\s+-\\s+-\\s+NO ANNOUNCEMENT$")
                .containsPattern("(?m)^NOT converged within 2s:$")
                .containsPattern("(?m)^  fulcrum-2: no announcement after the merge request$")
                .doesNotContain("  fulcrum-1:").doesNotContain("  fulcrum-3:");
        assertThat(run.err().strip()).isEqualTo("fulcrum-admin: not converged within 2s (no announcement from fulcrum-2)");
    }

    @Test
    void differingVectorsExitThreeNamingThem() throws Exception {
        String uri = cluster("admin-merge-differ", 3, new FakeReplica("fulcrum-1", List.of(ALL)),
                new FakeReplica("fulcrum-2", List.of(ALL)),
                new FakeReplica("fulcrum-3", List.of(Map.of("fulcrum-1", 1L, "fulcrum-2", 1L))));

        Run run = admin("merge", "--uri", uri, "--timeout", "2s", "--json");

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(3);
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.get("converged").asBoolean()).isFalse();
        assertThat(root.get("silent")).isEmpty();
        assertThat(root.get("differing")).hasSize(1);
        assertThat(root.get("differing").get(0).asText()).isEqualTo("fulcrum-3");
        JsonNode three = root.get("replicas").get(2);
        assertThat(three.get("differs").asBoolean()).isTrue();
        assertThat(three.get("behind").get(0).get("origin").asText()).isEqualTo("fulcrum-1");
        assertThat(three.get("behind").get(0).get("applied").asLong()).isEqualTo(1);
        assertThat(three.get("behind").get(0).get("target").asLong()).isEqualTo(2);
        assertThat(run.err()).contains("applied vectors differ: fulcrum-3");
    }

    @Test
    void differingVectorsInTheTable() throws Exception {
        String uri = cluster("admin-merge-differ-text", 2, new FakeReplica("fulcrum-1", List.of(Map.of("fulcrum-1", 1L))),
                new FakeReplica("fulcrum-2", List.of(Map.of("fulcrum-2", 3L))));

        Run run = admin("merge", "--uri", uri, "--replicas", "2", "--timeout", "1s");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).containsPattern("(?m)^fulcrum-1\\s+SERVING\\s+\\[1,0\\]\\s+1\\s+.*DIFFERS$")
                .contains("  fulcrum-1: applied [1,0], target [1,3] (behind: fulcrum-2 0<3)")
                .contains("  fulcrum-2: applied [0,3], target [1,3] (behind: fulcrum-1 0<1)");
    }

    @Test
    void aJoiningReplicaIsNotConvergedAndShownWithItsProgress() throws Exception {
        Map<String, Long> v = Map.of("fulcrum-1", 3L);
        JoinProgress copying = new JoinProgress("copying", "fulcrum-1", 3, 1200, 4);
        String uri = cluster("admin-merge-joining", 3, new FakeReplica("fulcrum-1", List.of(v)),
                new FakeReplica(List.of(joining("fulcrum-2", v, copying)), "fulcrum-2"),
                new FakeReplica("fulcrum-3", List.of(v)));

        Run run = admin("merge", "--uri", uri, "--timeout", "2s");

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(3);
        assertThat(run.out()).containsPattern("(?m)^fulcrum-2\\s+JOINING\\s+\\[3,0,0\\]\\s+0\\s+0\\s+JOINING$")
                .contains("  fulcrum-2: joining, not serving yet (copying from fulcrum-1: 3 page(s), 1200 item(s); own stream held to #4)")
                .doesNotContain("  fulcrum-1:").doesNotContain("  fulcrum-3:");
        assertThat(run.err().strip()).isEqualTo("fulcrum-admin: not converged within 2s (not serving yet: fulcrum-2 (joining))");

        Run json = admin("merge", "--uri", uri, "--timeout", "2s", "--json");
        assertThat(json.exitCode()).isEqualTo(3);
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("notServing")).hasSize(1);
        assertThat(root.get("notServing").get(0).asText()).isEqualTo("fulcrum-2");
        JsonNode two = root.get("replicas").get(1);
        assertThat(two.get("serving").asBoolean()).isFalse();
        assertThat(two.get("differs").asBoolean()).isFalse();
        assertThat(two.get("join").get("stage").asText()).isEqualTo("copying");
        assertThat(two.get("join").get("source").asText()).isEqualTo("fulcrum-1");
        assertThat(two.get("join").get("pages").asLong()).isEqualTo(3);
        assertThat(two.get("join").get("items").asLong()).isEqualTo(1200);
    }

    @Test
    void aReplicaThatFinishesItsJoinConverges() throws Exception {
        Map<String, Long> v = Map.of("fulcrum-1", 3L, "fulcrum-2", 5L);
        // the joiner announces its progress, then (as once it caught up) serving with the full vector
        FakeReplica joiner = new FakeReplica(List.of(joining("fulcrum-2", Map.of(), new JoinProgress("asking", null, 0, 0, 0)),
                joining("fulcrum-2", v, new JoinProgress("catching-up", "fulcrum-1", 1, 10, 5)), serving("fulcrum-2", v)),
                "fulcrum-2");
        String uri = cluster("admin-merge-joined", 2, new FakeReplica("fulcrum-1", List.of(v)), joiner);

        Run run = admin("merge", "--uri", uri, "--replicas", "2", "--timeout", "60s");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^fulcrum-2\\s+SERVING\\s+\\[3,5\\]\\s+5\\s+.*ok$")
                .containsPattern("(?m)^converged$");
    }

    @Test
    void announcementsThatDoNotDecodeAreIgnored() throws Exception {
        Map<String, Long> v = Map.of("fulcrum-1", 1L);
        FakeReplica one = new FakeReplica("fulcrum-1", List.of(v));
        // after the request: a truncated body, and one with a field no announcement has
        one.garbage.add("{\"replica\":\"fulcrum-1\"");
        one.garbage.add("{\"replica\":\"fulcrum-1\",\"applied\":{},\"bogus\":1}");
        String uri = cluster("admin-merge-noise", 1, one);

        Run run = admin("merge", "--uri", uri, "--replicas", "1", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.get("replicas").get(0).get("applied").get("fulcrum-1").asLong()).isEqualTo(1);
        assertThat(root.get("replicas").get(0).get("phase").asText()).isEqualTo("SERVING");
        assertThat(root.get("unreadableAnnouncements").asInt()).isEqualTo(2);
    }

    @Test
    void noMergeQueueBoundExitsThree() throws Exception {
        String uri = cluster("admin-merge-unroutable", 0);
        Run run = admin("merge", "--uri", uri, "--timeout", "10s");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("fulcrum-admin: MergeNow was unroutable").contains("fulcrum.merge");
    }

    @Test
    void missingTopologyExitsThree() {
        String uri = TestBroker.freshVirtualHost("admin-merge-empty");
        Run run = admin("merge", "--uri", uri, "--timeout", "10s");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("fulcrum.status").contains("NOT_FOUND");
    }

    @Test
    void unreachableBrokerExitsThree() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run run = admin("merge", "--uri", "amqp://guest:secret@127.0.0.1:" + closedPort + "/%2f", "--connect-timeout", "1");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err().strip()).startsWith("fulcrum-admin: broker unreachable at").doesNotContain("secret");
    }

    @Test
    void badCommandLinesExitTwo() {
        assertThat(admin("merge", "--replicas", "0").exitCode()).isEqualTo(2);
        assertThat(admin("merge", "--timeout", "soon").exitCode()).isEqualTo(2);
        assertThat(admin("merge", "--timeout", "0s").exitCode()).isEqualTo(2);
        assertThat(admin("merge", "--uri", "http://nope").exitCode()).isEqualTo(2);
        assertThat(admin("merge", "extra").exitCode()).isEqualTo(2);
        Run help = admin("merge", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--timeout").contains("localhost:5672/%2f");
        assertThat(help.err()).isEmpty();
    }
}
