package fulcrum.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.RouteCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouteAnswer;
import fulcrum.core.router.RouterLimits;
import fulcrum.core.session.WriteRouting;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Route requests of the direct write path against a real broker: answered at once, acked, nothing forwarded. */
class RouterRoutesTest {
    @RegisterExtension
    final BrokerSide broker = new BrokerSide();

    @Test
    void aRouteRequestIsAnsweredWithTheWritesFixedOrderAndNothingIsForwarded() throws Exception {
        try (Router router = broker.startRouter()) {
            byte[] body = CommandCodec.encode(Command.addCity("Hoth", "Echo", 1), BrokerSide.clock("fulcrum-3", 1), "fulcrum-3");
            broker.channel.basicPublish("", Topology.ROUTER_ROUTES, true,
                    Amqp.routeRequestProperties("w-1", CommandKind.AddCity, broker.replyQueue), body);
            AMQP.BasicProperties props = broker.replyProps.poll(10, TimeUnit.SECONDS);
            assertThat(props).as("route answer").isNotNull();
            assertThat(props.getType()).isEqualTo(RouteCodec.TYPE);
            assertThat(props.getCorrelationId()).isEqualTo("w-1");
            RouteAnswer answer = RouteCodec.decode(broker.replies.take());
            assertThat(answer.order()).isEqualTo(new WriteRouting(BrokerSide.REPLICAS).order("w-1", "fulcrum-3"))
                    .startsWith("fulcrum-3");
            assertThat(answer.replicas()).as("the route table, by default").isEqualTo(BrokerSide.REPLICAS);
            assertThat(answer.validForMillis()).isEqualTo(RouterLimits.DEFAULT_ROUTE_TABLE_VALIDITY_MILLIS);
            assertThat(broker.totalReplicaDepth()).as("a route request is never forwarded").isZero();
        }
        // closed: a request still unacked would be back in the queue now
        assertThat(broker.depth(Topology.ROUTER_ROUTES)).as("the answered request was acked").isZero();
    }

    @Test
    void aQueryOrAnUnreadableRequestGetsARefusalNotARoute() throws Exception {
        try (Router router = broker.startRouter()) {
            broker.channel.basicPublish("", Topology.ROUTER_ROUTES, true,
                    Amqp.routeRequestProperties("q-1", CommandKind.GetNumberRebelds, broker.replyQueue),
                    CommandCodec.encode(Command.getNumberRebelds("Hoth", "Echo")));
            RouteAnswer query = RouteCodec.decode(await().atMost(Duration.ofSeconds(10)).until(broker.replies::poll, b -> b != null));
            assertThat(query.errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
            assertThat(query.errorMessage()).contains("query queue");

            broker.channel.basicPublish("", Topology.ROUTER_ROUTES, true,
                    Amqp.routeRequestProperties("b-1", CommandKind.AddCity, broker.replyQueue), "{not json".getBytes());
            RouteAnswer bad = RouteCodec.decode(await().atMost(Duration.ofSeconds(10)).until(broker.replies::poll, b -> b != null));
            assertThat(bad.errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
            assertThat(broker.depth(Topology.DEAD_LETTER_QUEUE)).as("route requests are transient: not dead-lettered").isZero();
        }
    }
}
