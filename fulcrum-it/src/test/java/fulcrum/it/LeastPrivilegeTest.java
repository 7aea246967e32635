package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.BrokerSecrets;
import fulcrum.common.cli.CliRunner;
import fulcrum.common.topology.BrokerDefinitions;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.informant.InformantMain;
import fulcrum.leia.LeiaMain;
import fulcrum.router.RouterMain;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.MetricsScrape;
import fulcrum.testkit.PrivateRabbitNode;
import fulcrum.testkit.TestBroker;
import fulcrum.worker.WorkerMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node booted with {@code rabbitmq-definitions.json}: every component runs as its own user with
 * its development password (never in argv), does its job, is refused beyond its permissions, and a
 * running replica refuses merge traffic from anyone but the replica users.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeastPrivilegeTest {
    private static final int REPLICAS = 2;

    @TempDir
    static Path tmp;

    private PrivateRabbitNode node;
    private final List<JvmProcess> processes = new ArrayList<>();
    private JvmProcess fulcrum1;

    @BeforeAll
    void cluster() throws IOException {
        assumeTrue(TestBroker.externalUri().isEmpty(), "needs its own private node (definitions loaded at boot)");
        assumeTrue(PrivateRabbitNode.isInstalled(), "rabbitmq-server is not installed");
        node = PrivateRabbitNode.start(tmp.resolve("rabbit"), DefinitionsFile.find());
        Path routerPassword = Files.writeString(tmp.resolve("router-password"), "mos-eisley\n");
        processes.add(start("mos-eisley", Map.of(), RouterMain.class.getName(), List.of("--uri", uri("mos-eisley"),
                "--password-file", routerPassword.toString(), "--replicas", Integer.toString(REPLICAS))));
        for (String id : Topology.replicaIds(REPLICAS)) {
            JvmProcess worker = start(id, Map.of(BrokerSecrets.PASSWORD, id), WorkerMain.class.getName(),
                    List.of("--id", id, "--replicas", Integer.toString(REPLICAS), "--uri", uri(id),
                            "--data-dir", tmp.resolve("data").resolve(id).toString(), "--merge-interval", "1s"));
            processes.add(worker);
            if (id.equals("fulcrum-1")) {
                fulcrum1 = worker;
            }
        }
        for (JvmProcess worker : processes.subList(1, processes.size())) {
            await(worker.name() + " serving").atMost(Duration.ofSeconds(120)).failFast(() -> !worker.isAlive())
                    .until(() -> worker.output().contains("serves: consuming"));
        }
    }

    @AfterAll
    void stop() {
        processes.forEach(JvmProcess::close);
        if (node != null) {
            node.close();
        }
    }

    private String uri(String user) {
        return "amqp://" + user + "@127.0.0.1:" + node.amqpPort() + "/%2f";
    }

    /** A raw connection as {@code user} (the password in the URI: test code, not argv). */
    private Connection connect(String user) throws Exception {
        return Amqp.connect("amqp://" + user + ":" + user + "@127.0.0.1:" + node.amqpPort() + "/%2f",
                BrokerSecrets.none(), "least-privilege-" + user, Duration.ofSeconds(20));
    }

    private JvmProcess start(String name, Map<String, String> env, String mainClass, List<String> args) {
        JvmProcess process = JvmProcess.start(name + "-" + System.nanoTime(), tmp.resolve("logs"), env, mainClass, args);
        await("READY " + name).atMost(Duration.ofSeconds(60))
                .failFast(() -> !process.isAlive() && !process.output().contains("READY " + name))
                .until(() -> process.output().contains("READY " + name));
        return process;
    }

    @Test
    void componentsWorkAsTheirOwnUsersAndNoPasswordShowsInTheirArguments() throws Exception {
        Run added = client(new InformantMain(), "informant", "AddCity", "Tatooine", "Mos_Espa", "5");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        Run read = client(new LeiaMain(), "leia", "GetNumberRebelds", "Tatooine", "Mos_Espa");
        assertThat(read.exitCode()).as(read.toString()).isZero();
        assertThat(read.out()).startsWith("Tatooine Mos_Espa 5");

        for (JvmProcess p : processes) {
            // what ps shows, in full (ProcessHandle.Info cuts it at 4 KiB)
            String commandLine = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
            assertThat(commandLine).as("the command line of " + p.name()).contains("--uri")
                    .doesNotContain("fulcrum-1:fulcrum-1", "fulcrum-2:fulcrum-2", "mos-eisley:mos-eisley");
            assertThat(p.output()).as("the output of " + p.name())
                    .doesNotContain("fulcrum-1:fulcrum-1", "fulcrum-2:fulcrum-2", "mos-eisley:mos-eisley");
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorWithoutThePassword() throws Exception {
        Path wrong = Files.writeString(tmp.resolve("wrong-password"), "not-the-password\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CliRunner.run(new InformantMain(), new PrintWriter(out), new PrintWriter(err), "--uri", uri("informant"),
                "--password-file", wrong.toString(), "--no-session", "--timeout", "10s", "AddCity", "Naboo", "Theed", "1");
        assertThat(code).isEqualTo(3);
        assertThat(err.toString()).contains("refused the login of user 'informant'").doesNotContain("not-the-password");
    }

    @Test
    void eachUserIsRefusedBeyondItsPermissions() throws Exception {
        // an informant publishes route requests through the default exchange and its writes to
        // fulcrum.commands (the direct write path; its AddCity above went that way), and reads nothing
        assertRefused("informant", ch -> publishConfirmed(ch, Topology.MERGE_EXCHANGE, "", null));
        assertRefused("informant", ch -> ch.basicGet(Topology.ROUTER_ROUTES, false));
        // Leia's queries go through Mos Eisley: she may not publish to a replica's queue
        assertRefused("leia", ch -> publishConfirmed(ch, Topology.REPLICA_EXCHANGE, "fulcrum-1", null));
        assertRefused("informant", ch -> ch.queuePurge(Topology.replicaMergeQueue("fulcrum-1")));
        assertRefused("informant", ch -> ch.queuePurge(Topology.ROUTER_COMMANDS));
        assertRefused("informant", ch -> ch.queueDeclare("informant-queue", false, false, true, null));
        assertRefused("leia", ch -> ch.basicGet(Topology.ROUTER_QUERIES, false));
        assertRefused("leia", ch -> publishConfirmed(ch, Topology.STATUS_EXCHANGE, "", null));
        // the router forwards to replicas, it does not speak for them
        assertRefused("mos-eisley", ch -> publishConfirmed(ch, Topology.MERGE_EXCHANGE, "", null));
        assertRefused("mos-eisley", ch -> ch.queueDelete(Topology.ROUTER_COMMANDS));
        // a replica reads only its own queues
        assertRefused("fulcrum-1", ch -> ch.basicGet(Topology.replicaMergeQueue("fulcrum-2"), false));
        assertRefused("fulcrum-1", ch -> ch.queuePurge(Topology.replicaCommandQueue("fulcrum-2")));
        // the admin tool listens to announcements and asks for merges, nothing else
        assertRefused("fulcrum-admin", ch -> publishConfirmed(ch, Topology.REPLICA_EXCHANGE, "fulcrum-1", null));
        assertRefused("fulcrum-admin", ch -> ch.queuePurge(Topology.DEAD_LETTER_QUEUE));
        // nobody publishes in another user's name: the broker checks user_id against the login
        assertThatThrownBy(() -> {
            try (Connection c = connect("informant")) {
                publishConfirmed(c.createChannel(), "", Topology.replicaMergeQueue("fulcrum-1"), "fulcrum-2");
            }
        }).hasStackTraceContaining("PRECONDITION_FAILED");
    }

    @Test
    void theAdminUserHearsAnnouncementsAndMayAskForAMerge() throws Exception {
        try (Connection admin = connect("fulcrum-admin")) {
            Channel ch = admin.createChannel();
            String queue = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(queue, Topology.STATUS_EXCHANGE, "");
            BlockingQueue<String> heard = new ArrayBlockingQueue<>(64);
            ch.basicConsume(queue, true, (tag, d) -> heard.offer(d.getProperties().getUserId()), tag -> { });
            publishConfirmed(admin.createChannel(), Topology.MERGE_EXCHANGE, "", "fulcrum-admin");
            String announcer = heard.poll(60, TimeUnit.SECONDS);
            assertThat(announcer).as("a replica's announcement carries its user").startsWith("fulcrum-");
        }
        assertThat(fulcrum1.output()).doesNotContain("refused a MergeNow");
    }

    @Test
    void aForgedDeltaIsRefusedByARunningReplicaAndNeverApplied() throws Exception {
        Operation forged = new Operation("fulcrum-2", 1, 1, "Hoth", OpKind.AddCity, Operation.cityIdOf("fulcrum-2", 1),
                "Echo_Base", 99L, VectorClock.of(Map.of("fulcrum-1", 0L, "fulcrum-2", 1L)), "forged-1");
        byte[] body = PeerCodec.encode(new Delta("fulcrum-2", List.of(forged)));
        try (Connection informant = connect("informant")) {
            Channel ch = informant.createChannel();
            ch.confirmSelect();
            for (String userId : new String[] {null, "informant"}) {
                ch.basicPublish("", Topology.replicaMergeQueue("fulcrum-1"), true, new AMQP.BasicProperties.Builder()
                        .type(Delta.TYPE).contentType(PeerCodec.DELTA_CONTENT_TYPE).deliveryMode(2).userId(userId).build(), body);
            }
            ch.waitForConfirmsOrDie(10_000);
        }
        await("fulcrum-1 refuses both").atMost(Duration.ofSeconds(60))
                .until(() -> fulcrum1.output().contains("refused a MergeDelta without user_id")
                        && fulcrum1.output().contains("refused a MergeDelta from broker user 'informant'"));
        await("the merge queue drained").atMost(Duration.ofSeconds(30))
                .until(() -> node.messagesHeld("/", Topology.replicaMergeQueue("fulcrum-1")) == 0);
        Run read = client(new LeiaMain(), "leia", "GetNumberRebelds", "Hoth", "Echo_Base");
        assertThat(read.err()).as(read.toString()).contains("CITY_NOT_FOUND");
        // an operator sees the refusals in the replica's metrics, by sender
        Matcher url = METRICS_URL.matcher(fulcrum1.output());
        assertThat(url.find()).as("fulcrum-1 logs its metrics URL").isTrue();
        await("the refusals in fulcrum-1's metrics").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            MetricsScrape scrape = MetricsScrape.of(url.group(1));
            assertThat(scrape.value("fulcrum_peer_messages_refused_total", "sender", "")).isGreaterThanOrEqualTo(1);
            assertThat(scrape.value("fulcrum_peer_messages_refused_total", "sender", "informant")).isGreaterThanOrEqualTo(1);
        });
    }

    private static final Pattern METRICS_URL = Pattern.compile("metrics at (http://\\S+)/metrics");

    interface ChannelAction {
        void run(Channel channel) throws Exception;
    }

    private void assertRefused(String user, ChannelAction action) throws Exception {
        try (Connection c = connect(user)) {
            Channel ch = c.createChannel();
            assertThatThrownBy(() -> action.run(ch)).as(user).hasStackTraceContaining("ACCESS_REFUSED");
        }
    }

    private static void publishConfirmed(Channel ch, String exchange, String routingKey, String userId) throws Exception {
        ch.confirmSelect();
        byte[] body = PeerCodec.encode(new MergeNow("least-privilege"));
        ch.basicPublish(exchange, routingKey, false, new AMQP.BasicProperties.Builder().type(MergeNow.TYPE)
                .contentType(Amqp.CONTENT_TYPE).userId(userId).build(), body);
        ch.waitForConfirmsOrDie(10_000);
    }

    record Run(int exitCode, String out, String err) {
    }

    private Run client(Object cli, String user, String... args) throws IOException {
        Path password = Files.writeString(tmp.resolve(user + "-password"), user + "\n");
        List<String> all = new ArrayList<>(List.of("--uri", uri(user), "--password-file", password.toString(),
                "--no-session", "--timeout", "30s"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CliRunner.run(cli, new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** The repository's definitions file, found from the module directory Maven runs tests in. */
    static final class DefinitionsFile {
        static Path find() {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve(BrokerDefinitions.FILE))) {
                    return dir.resolve(BrokerDefinitions.FILE);
                }
            }
            throw new IllegalStateException(BrokerDefinitions.FILE + " not found");
        }
    }
}
