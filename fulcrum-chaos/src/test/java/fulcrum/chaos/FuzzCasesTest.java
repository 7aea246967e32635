package fulcrum.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fulcrum.chaos.FuzzCases.Case;
import fulcrum.chaos.FuzzCases.Route;
import fulcrum.common.topology.Topology;
import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.PeerCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.Ready;
import fulcrum.core.node.ReplicaNode;
import fulcrum.core.node.ReplyAddress;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Each forged message is what a replica (or a client) sends but for the one thing its name says,
 * and the rebuilt replica refuses it for exactly that reason: every merge and status case is fed,
 * through the replicas' own {@link PeerCodec} and the production {@link ReplicaNode}, to each replica
 * of a small in-memory cluster that has written and merged a history (serving), and to one that is
 * still joining; every command case through {@link CommandCodec}, as the router and the worker
 * decode commands. The dead letter's code and reason must match the case's {@link Case#reason()}.
 */
class FuzzCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> IDS = Topology.replicaIds(3);
    private static final Set<String> OPERATION_FIELDS = Set.of("origin", "incarnation", "originSeq", "planet", "kind", "cityId",
            "name", "rebels", "clock", "commandId");

    private static Case named(String name) {
        return FuzzCases.ALL.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode onlyOp(String name) throws Exception {
        JsonNode ops = JSON.readTree(named(name).body()).get("operations");
        assertThat(ops.size()).as(name).isEqualTo(1);
        return ops.get(0);
    }

    /** The fields in which an operation differs from the valid one (present in either). */
    private static Set<String> differences(JsonNode op) throws Exception {
        JsonNode valid = JSON.readTree(FuzzCases.op().json());
        Set<String> out = new TreeSet<>();
        for (Iterator<String> it = op.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!op.get(f).equals(valid.get(f))) {
                out.add(f);
            }
        }
        valid.fieldNames().forEachRemaining(f -> {
            if (!op.has(f)) {
                out.add(f);
            }
        });
        return out;
    }

    // ---- a small cluster of production nodes over in-memory stores -----------------------------

    /** Three serving replicas (or, for {@code joining}, a fresh one among serving peers) and a router between them. */
    static final class Cluster {
        final Map<String, MemoryStore> stores = new LinkedHashMap<>();
        final Map<String, ReplicaNode> nodes = new LinkedHashMap<>();
        private long tag;

        Cluster() {
            for (int i = 0; i < IDS.size(); i++) {
                String id = IDS.get(i);
                MemoryStore store = new MemoryStore(id);
                store.commit(new StoreBatch().putPhase(Phase.SERVING).putIncarnation(100 + i));
                stores.put(id, store);
                nodes.put(id, new ReplicaNode(NodeConfig.defaults(id, IDS, 100 + i, i), store, 0));
            }
        }

        /** A replica on a new store: it joins (asks its peers) and does not serve. */
        ReplicaNode joiner(String id) {
            MemoryStore store = new MemoryStore(id);
            ReplicaNode node = new ReplicaNode(NodeConfig.defaults(id, IDS, 999, 9), store, 0);
            assertThat(node.phase()).isEqualTo(Phase.JOINING);
            stores.put(id + "-joining", store);
            return node;
        }

        void write(String at, String commandId, Command command) {
            nodes.get(at).onCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, ++tag), ReplyAddress.NONE, commandId,
                    command, null);
            pump();
        }

        /** Carries out every Ready and delivers what it publishes, until nothing is left. */
        void pump() {
            boolean busy = true;
            while (busy) {
                busy = false;
                for (Map.Entry<String, ReplicaNode> e : nodes.entrySet()) {
                    for (Ready ready = e.getValue().ready(); ready != null; ready = e.getValue().ready()) {
                        Ready r = ready;
                        busy = true;
                        stores.get(e.getKey()).commit(r.commit());
                        List<Runnable> deliveries = new ArrayList<>();
                        for (Ready.Outbound m : r.messages()) {
                            for (String to : IDS) {
                                boolean fanout = m.route() == Ready.Route.MERGE_FANOUT && !to.equals(e.getKey());
                                if (fanout || to.equals(m.to())) {
                                    deliveries.add(() -> nodes.get(to).onPeerMessage(
                                            new DeliveryRef(DeliveryRef.Source.MERGE, 0, ++tag), m.message()));
                                }
                            }
                        }
                        if (r.status() != null) {
                            IDS.stream().filter(to -> !to.equals(e.getKey())).forEach(to -> deliveries.add(() ->
                                    nodes.get(to).onPeerMessage(new DeliveryRef(DeliveryRef.Source.STATUS, 0, ++tag), r.status())));
                        }
                        e.getValue().advance(r, true);
                        deliveries.forEach(Runnable::run);
                    }
                }
            }
        }

        /**
         * What {@code node} does with the case, decoded as the worker decodes what arrives on the
         * case's queue: {@code "<code> <reason>"} of its dead letter, or null when it took it.
         */
        String feed(ReplicaNode node, MemoryStore store, Case c) {
            DeliveryRef.Source source = c.route() == Route.STATUS ? DeliveryRef.Source.STATUS : DeliveryRef.Source.MERGE;
            int max = source == DeliveryRef.Source.STATUS ? PeerCodec.MAX_STATUS_BODY_BYTES : PeerCodec.MAX_MERGE_BODY_BYTES;
            PeerMessage message;
            try {
                message = PeerCodec.decode(c.type(), c.body().getBytes(StandardCharsets.UTF_8), max);
            } catch (PeerCodec.UndecodableException e) {
                return (e.unknownType() ? ErrorCode.UNKNOWN_COMMAND : ErrorCode.BAD_MESSAGE) + " " + e.getMessage();
            }
            DeliveryRef ref = new DeliveryRef(source, 0, ++tag);
            node.onPeerMessage(ref, message);
            String outcome = null;
            for (Ready r = node.ready(); r != null; r = node.ready()) {
                store.commit(r.commit());
                for (Ready.DeadLetter d : r.deadLetters()) {
                    if (d.delivery().equals(ref)) {
                        outcome = d.code() + " " + d.reason();
                    }
                }
                node.advance(r, true);
            }
            return outcome;
        }
    }

    private static Cluster clusterWithAHistory() {
        Cluster cluster = new Cluster();
        cluster.write("fulcrum-1", "h-1", Command.addCity("Tatooine", "Mos_Espa", 5));
        cluster.write("fulcrum-1", "h-2", Command.addCity("Tatooine", "Anchorhead", 1));
        cluster.write("fulcrum-2", "h-3", Command.updateNumber("Tatooine", "Mos_Espa", 9));
        cluster.write("fulcrum-3", "h-4", Command.addCity("Hoth", "Echo_Base", 40));
        cluster.write("fulcrum-1", "h-5", Command.deleteCity("Tatooine", "Anchorhead"));
        for (ReplicaNode n : cluster.nodes.values()) {
            assertThat(n.applied()).as(n.id()).isEqualTo(Map.of("fulcrum-1", 3L, "fulcrum-2", 1L, "fulcrum-3", 1L));
        }
        return cluster;
    }

    @Test
    void everyMergeAndStatusCaseIsDeadLetteredByEveryReplicaForItsReason() {
        Cluster cluster = clusterWithAHistory();
        ReplicaNode joiner = cluster.joiner("fulcrum-3");
        MemoryStore joinerStore = cluster.stores.get("fulcrum-3-joining");
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Case c : FuzzCases.ALL) {
            if (c.route() == Route.COMMAND) {
                continue;
            }
            Map<String, String> outcomes = new LinkedHashMap<>();
            cluster.nodes.forEach((id, node) -> outcomes.put(id, cluster.feed(node, cluster.stores.get(id), c)));
            outcomes.put("fulcrum-3 (joining)", cluster.feed(joiner, joinerStore, c));
            for (Map.Entry<String, String> o : outcomes.entrySet()) {
                checked++;
                if (o.getValue() == null) {
                    failures.add(c.name() + " at " + o.getKey() + ": taken, not dead-lettered");
                } else if (!c.reason().matcher(o.getValue()).find()) {
                    failures.add(c.name() + " at " + o.getKey() + ": dead-lettered for another reason: " + o.getValue());
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(checked).isEqualTo(4 * FuzzCases.ALL.stream().filter(c -> c.route() != Route.COMMAND).count());
        // nothing forged was taken: no planet Fuzz, no forged entry held, the applied vectors unchanged
        for (Map.Entry<String, MemoryStore> e : cluster.stores.entrySet()) {
            for (Planet p : e.getValue().planets()) {
                assertThat(p.name()).as(e.getKey()).isNotEqualTo(FuzzCases.PLANET);
            }
            for (Operation op : e.getValue().allOperations()) {
                assertThat(op.commandId()).as(e.getKey()).doesNotStartWith("chaos-fuzz").doesNotStartWith("kkkk");
            }
        }
        cluster.nodes.values().forEach(n -> assertThat(n.applied()).as(n.id())
                .isEqualTo(Map.of("fulcrum-1", 3L, "fulcrum-2", 1L, "fulcrum-3", 1L)));
    }

    @Test
    void aForgedStatusInAReplicasNameIsRefusedByThatReplicaForWhatItIs() {
        Cluster cluster = clusterWithAHistory();
        Case claim = named("status-applied-10^15");
        assertThat(cluster.feed(cluster.nodes.get("fulcrum-2"), cluster.stores.get("fulcrum-2"), claim))
                .isEqualTo("BAD_MESSAGE a status in this replica's name that it did not send");
        assertThat(cluster.feed(cluster.nodes.get("fulcrum-1"), cluster.stores.get("fulcrum-1"), claim))
                .startsWith("BAD_MESSAGE fulcrum-2 claims to have applied fulcrum-1#1000000000000000 but fulcrum-1 wrote only up to #3");
        assertThat(cluster.feed(cluster.nodes.get("fulcrum-3"), cluster.stores.get("fulcrum-3"), claim))
                .startsWith("BAD_MESSAGE fulcrum-2 claims fulcrum-1#1000000000000000, far beyond anything known");
    }

    @Test
    void everyCommandCaseIsRefusedForItsReason() {
        for (Case c : FuzzCases.ALL) {
            if (c.route() != Route.COMMAND) {
                continue;
            }
            String outcome;
            if (!c.withMessageId()) {
                outcome = "BAD_MESSAGE message has no message_id (the command id)"; // the router's and the worker's words
            } else {
                try {
                    CommandCodec.decodeEnvelope(c.body().getBytes(StandardCharsets.UTF_8), c.type());
                    outcome = null;
                } catch (InvalidCommandException e) {
                    outcome = e.code() + " " + e.getMessage();
                }
            }
            assertThat(outcome).as(c.name()).isNotNull().containsPattern(c.reason());
        }
    }

    @Test
    void casesHaveUniqueNamesEveryRouteAndOnlyTheMegabyteBodyIsSentOnce() {
        assertThat(FuzzCases.ALL.stream().map(Case::name).distinct().count()).isEqualTo(FuzzCases.ALL.size());
        assertThat(FuzzCases.ALL).extracting(Case::route).contains(Route.COMMAND, Route.MERGE, Route.STATUS);
        assertThat(FuzzCases.ALL.stream().filter(Case::once).map(Case::name)).containsExactly("merge-oversized");
    }

    @Test
    void theValidOperationHasTheWireFieldsOfAnEntryWithAnIncarnation() throws Exception {
        JsonNode op = JSON.readTree(FuzzCases.op().json());
        Set<String> fields = new TreeSet<>();
        op.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).isEqualTo(OPERATION_FIELDS);
        assertThat(op.get("incarnation").asLong()).isEqualTo(1);
        assertThat(op.get("planet").asText()).isEqualTo(FuzzCases.PLANET);
        // it decodes: each forged one fails for what was changed, not for what the base lacks
        assertThat(PeerCodec.decode("MergeDelta", FuzzCases.delta("fulcrum-1", FuzzCases.op()).getBytes(StandardCharsets.UTF_8),
                PeerCodec.MAX_MERGE_BODY_BYTES)).isNotNull();
    }

    @Test
    void eachForgedOperationBreaksOneField() throws Exception {
        assertThat(differences(onlyOp("op-clock-entry-max"))).containsExactly("clock");
        assertThat(onlyOp("op-clock-entry-max").get("clock").get("fulcrum-2").asLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(differences(onlyOp("op-clock-unknown-replica"))).containsExactly("clock");
        assertThat(onlyOp("op-city-id-10000").get("cityId").asText()).hasSize(10_000);
        // an UpdateNumber carries no name: the kind and the name go with the long city id
        assertThat(differences(onlyOp("op-city-id-10000"))).containsExactly("cityId", "kind", "name");
        assertThat(onlyOp("op-command-id-10000").get("commandId").asText()).hasSize(10_000);
        assertThat(differences(onlyOp("op-negative-count"))).containsExactly("rebels");
        assertThat(differences(onlyOp("op-incarnation-0"))).containsExactly("incarnation");
        assertThat(differences(onlyOp("merge-oversized"))).isEmpty();
        assertThat(named("merge-oversized").body().getBytes(StandardCharsets.UTF_8).length)
                .isGreaterThan(PeerCodec.MAX_MERGE_BODY_BYTES);
        assertThat(named("status-oversized").body().getBytes(StandardCharsets.UTF_8).length)
                .isGreaterThan(PeerCodec.MAX_STATUS_BODY_BYTES);
    }
}
