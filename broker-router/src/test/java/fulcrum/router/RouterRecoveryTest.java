package fulcrum.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.GetResponse;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.testkit.TestBroker;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker closes the router's connection (as on a network failure): the reply of a command
 * forwarded before is lost with the old reply queue, so its client is answered; the recovered
 * router routes again.
 */
class RouterRecoveryTest {
    @RegisterExtension
    final BrokerSide broker = new BrokerSide();

    @Test
    void aCommandWhoseReplyWasLostWithTheConnectionIsAnsweredAndTheRouterGoesOn() throws Exception {
        assumeTrue(TestBroker.usesPrivateNode(), "needs the private node's rabbitmqctl");
        String vhost = URLDecoder.decode(broker.uri.substring(broker.uri.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
        try (Router router = broker.startRouter()) {
            broker.publish("w-1", CommandKind.UpdateNumber, CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 1)));
            broker.awaitForwarded();
            // Acked: the broker will not deliver it again, so only the router can still answer it.
            await().atMost(Duration.ofSeconds(20)).until(() -> unacked(vhost, Topology.ROUTER_COMMANDS) == 0);

            closeConnection(vhost, "mos-eisley-test");
            assertThat(broker.replyProps.poll(20, java.util.concurrent.TimeUnit.SECONDS).getCorrelationId()).isEqualTo("w-1");
            Reply lost = broker.awaitReply();
            assertThat(lost.errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(lost.errorMessage()).contains("lost the reply", "re-send the same command id");

            broker.publish("w-2", CommandKind.UpdateNumber, CommandCodec.encode(Command.updateNumber("Hoth", "Echo", 2)));
            GetResponse forwarded = broker.awaitForwarded();
            String replica = forwarded.getEnvelope().getRoutingKey();
            Reply ok = Reply.success(CommandKind.UpdateNumber, "Hoth", "Echo", replica, BrokerSide.clock(replica, 1), null);
            broker.answerAsReplica(forwarded, ok);
            assertThat(broker.awaitReply()).as("relayed through the recovered reply queue").isEqualTo(ok);
        }
    }

    private static long unacked(String vhost, String queue) {
        for (String line : ctl("list_queues", "-p", vhost, "name", "messages_ready", "messages_unacknowledged").split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length == 3 && cells[0].equals(queue)) {
                return Long.parseLong(cells[1]) + Long.parseLong(cells[2]);
            }
        }
        throw new AssertionError("no queue " + queue + " in " + vhost);
    }

    private static void closeConnection(String vhost, String connectionName) {
        // client_properties holds the connection name the client gave (among other properties)
        for (String line : ctl("list_connections", "pid", "vhost", "client_properties").split("\n")) {
            String[] cells = line.trim().split("\t");
            if (cells.length == 3 && cells[1].equals(vhost) && cells[2].contains("\"" + connectionName + "\"")) {
                TestBroker.privateNode().rabbitmqctl("close_connection", cells[0], "test: simulated network failure");
                return;
            }
        }
        throw new AssertionError("no connection " + connectionName + " in " + vhost + ": "
                + ctl("list_connections", "pid", "vhost", "client_properties"));
    }

    /** A listing: quiet, without a header row. */
    private static String ctl(String... args) {
        String[] quiet = Arrays.copyOf(new String[] {"-q", "--no-table-headers"}, 2 + args.length);
        System.arraycopy(args, 0, quiet, 2, args.length);
        return TestBroker.privateNode().rabbitmqctl(quiet);
    }
}
