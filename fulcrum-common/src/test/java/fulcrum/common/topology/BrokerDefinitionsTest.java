package fulcrum.common.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The committed {@code rabbitmq-definitions.json} is what {@link BrokerDefinitions} renders. */
class BrokerDefinitionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theCommittedFileIsTheRenderedOne() throws Exception {
        String committed = Files.readString(DefinitionsAgreementTest.findDefinitionsFile(), StandardCharsets.UTF_8);
        String rendered = BrokerDefinitions.render(Topology.replicaIds(3));
        assertThat(JSON.readTree(committed))
                .as("rabbitmq-definitions.json is stale: regenerate it with BrokerDefinitions.main (README, Security)")
                .isEqualTo(JSON.readTree(rendered));
        assertThat(committed).isEqualTo(rendered);
    }

    @Test
    void passwordHashesFollowRabbitMqsSha256Scheme() {
        // a hash RabbitMQ itself wrote for guest/guest (the seed's definitions file)
        String rabbitmqsGuestHash = "OTAqDO+pFKyJ94mRgamynO1eYb5gF9r0zkeJmf/wNd29JnWc";
        byte[] salt = Arrays.copyOf(Base64.getDecoder().decode(rabbitmqsGuestHash), 4);
        assertThat(BrokerDefinitions.passwordHash("guest", salt)).isEqualTo(rabbitmqsGuestHash);
    }

    @Test
    void noComponentButGuestMayConfigureDurableObjects() {
        JsonNode permissions = BrokerDefinitions.tree(Topology.replicaIds(3)).get("permissions");
        assertThat(permissions).hasSize(8);
        permissions.forEach(p -> {
            if (!p.get("user").asText().equals(BrokerUsers.GUEST)) {
                for (String durable : new String[] {Topology.ROUTER_COMMANDS, Topology.MERGE_EXCHANGE,
                        Topology.replicaMergeQueue("fulcrum-1"), Topology.DEAD_LETTER_QUEUE}) {
                    assertThat(BrokerUsers.permits(p.get("configure").asText(), durable))
                            .as(p.get("user").asText() + " configures " + durable).isFalse();
                }
            }
        });
    }

    @Test
    void aReplicaReadsOnlyItsOwnQueues() {
        BrokerUsers.User one = BrokerUsers.all(Topology.replicaIds(3)).stream()
                .filter(u -> u.name().equals("fulcrum-1")).findFirst().orElseThrow();
        assertThat(BrokerUsers.permits(one.read(), "fulcrum.fulcrum-1.merge")).isTrue();
        assertThat(BrokerUsers.permits(one.read(), "fulcrum.fulcrum-2.merge")).isFalse();
        assertThat(BrokerUsers.permits(one.read(), "fulcrum.fulcrum-1.merge.x")).isFalse();
        assertThat(BrokerUsers.permits(one.read(), "amq.gen-abc")).isTrue();
    }

    @Test
    void anInformantPublishesWritesToTheReplicaExchangeAndRouteRequestsButReadsNothing() {
        BrokerUsers.User informant = BrokerUsers.all(Topology.replicaIds(3)).stream()
                .filter(u -> u.name().equals(BrokerUsers.INFORMANT)).findFirst().orElseThrow();
        assertThat(BrokerUsers.permits(informant.write(), Topology.REPLICA_EXCHANGE)).isTrue();
        assertThat(BrokerUsers.permits(informant.write(), "amq.default")).isTrue();
        assertThat(BrokerUsers.permits(informant.write(), Topology.MERGE_EXCHANGE)).isFalse();
        assertThat(BrokerUsers.permits(informant.read(), Topology.ROUTER_ROUTES)).isFalse();
        BrokerUsers.User router = BrokerUsers.all(Topology.replicaIds(3)).stream()
                .filter(u -> u.name().equals(BrokerUsers.ROUTER)).findFirst().orElseThrow();
        assertThat(BrokerUsers.permits(router.read(), Topology.ROUTER_ROUTES)).isTrue();
        BrokerUsers.User leia = BrokerUsers.all(Topology.replicaIds(3)).stream()
                .filter(u -> u.name().equals(BrokerUsers.LEIA)).findFirst().orElseThrow();
        assertThat(BrokerUsers.permits(leia.write(), Topology.REPLICA_EXCHANGE)).as("queries go through Mos Eisley").isFalse();
    }
}
