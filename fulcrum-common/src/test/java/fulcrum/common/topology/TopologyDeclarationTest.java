package fulcrum.common.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.testkit.TestBroker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Against a real broker: declaring the topology is idempotent and creates every named object. */
class TopologyDeclarationTest {

    @Test
    void declaringTwiceIsIdempotentAndCreatesEveryQueue() throws Exception {
        String uri = TestBroker.freshVirtualHost("topology");
        try (Connection connection = Amqp.connect(uri, "topology-test", Duration.ofSeconds(10))) {
            Channel channel = connection.createChannel();
            Topology.declare(channel, Topology.replicaIds(3));
            Topology.declare(channel, Topology.replicaIds(3));
            for (String queue : new String[] {Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES, Topology.ROUTER_ROUTES,
                    Topology.DEAD_LETTER_QUEUE,
                    "fulcrum.fulcrum-1.commands", "fulcrum.fulcrum-3.merge"}) {
                assertThat(channel.queueDeclarePassive(queue).getMessageCount()).as(queue).isZero();
            }
        }
    }
}
