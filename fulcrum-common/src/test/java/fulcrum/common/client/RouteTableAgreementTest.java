package fulcrum.common.client;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.RouteCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.router.ClientMessage;
import fulcrum.core.router.RouteAnswer;
import fulcrum.core.router.RouterCore;
import fulcrum.core.router.RouterLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The client computes exactly what Mos Eisley would answer: for many command ids and last replicas
 * (none, each replica, one that is not a replica), the route table's order equals the route
 * {@link RouterCore#onRouteRequest} gives for the same message, read as the router reads it.
 */
class RouteTableAgreementTest {
    /** Not in name order: the table keeps the router's configured order, the order does not depend on it. */
    private static final List<String> REPLICAS = List.of("fulcrum-3", "fulcrum-1", "fulcrum-5", "fulcrum-2", "fulcrum-4");

    @Test
    void theTablesOrderIsTheRoutersAnswerForEveryMessage() {
        RouterCore router = new RouterCore(REPLICAS, new RouterLimits(1000, 64, 1000));
        RouteTable table = new RouteTable();
        RouteAnswer first = RouteCodec.decode(RouteCodec.encode(router.onRouteRequest(message("w-0", null))));
        assertThat(first.replicas()).isEqualTo(REPLICAS);
        assertThat(first.validForMillis()).isEqualTo(RouterLimits.DEFAULT_ROUTE_TABLE_VALIDITY_MILLIS);
        table.learn(first, 0);

        List<String> lastReplicas = new ArrayList<>(REPLICAS);
        lastReplicas.add(null);
        lastReplicas.add("fulcrum-9");
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            String commandId = i % 2 == 0 ? new UUID(random.nextLong(), random.nextLong()).toString() : "cmd-" + random.nextInt();
            String lastReplica = lastReplicas.get(random.nextInt(lastReplicas.size()));
            RouteAnswer answer = router.onRouteRequest(message(commandId, lastReplica));
            assertThat(table.order(commandId, lastReplica, 1))
                    .as("command %s, last replica %s", commandId, lastReplica).isEqualTo(answer.order());
        }
    }

    /** A write as the client sends it and the router reads it (body through the codec, like {@code ClientMessages}). */
    private static ClientMessage message(String commandId, String lastReplica) {
        Command command = Command.updateNumber("Hoth", "Echo_Base", 3);
        VectorClock required = lastReplica == null ? null : VectorClock.empty();
        byte[] body = CommandCodec.encode(command, required, lastReplica);
        CommandCodec.Envelope envelope = CommandCodec.decodeEnvelope(body, command.kind().name());
        return new ClientMessage(commandId, "amq.rabbitmq.reply-to", commandId, command.kind().name(), Topology.ROUTER_ROUTES,
                Map.of(), body, new ClientMessage.Decoded(envelope.command(), envelope.requiredClock(), envelope.lastReplica()));
    }
}
