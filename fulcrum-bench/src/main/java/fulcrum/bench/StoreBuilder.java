package fulcrum.bench;

import fulcrum.core.domain.Command;
import fulcrum.core.node.DeliveryRef;
import fulcrum.core.node.NodeConfig;
import fulcrum.core.node.Ready;
import fulcrum.core.node.ReplicaNode;
import fulcrum.core.node.ReplyAddress;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import fulcrum.store.RocksStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds a replica's store without a broker, by driving the production node in-process with
 * AddCity commands in large batches: how the bench gets a replica holding a million cities in a
 * minute instead of an hour through the pipeline. The store is a serving replica of a cluster that
 * exists; its peers join from it (which is one of the things the bench measures).
 */
final class StoreBuilder {
    private static final int COMMANDS_PER_BATCH = 5_000;

    private StoreBuilder() {
    }

    /**
     * @param planets planet name → number of cities (named {@code c0, c1, …}, 1 rebel each)
     * @return cities written
     */
    static long build(Path dir, String replicaId, List<String> replicaIds, Map<String, Integer> planets) {
        return build(dir, replicaId, replicaIds, planets, 1, true);
    }

    /**
     * As {@link #build(Path, String, List, Map)}, with the store's incarnation; when
     * {@code published} is false the op-log entries are left unpublished (the node runs in
     * interval mode and its merge interval never comes), so the worker started on the store
     * publishes all of them to its peers: how the merge bench gets a million operations to merge.
     */
    static long build(Path dir, String replicaId, List<String> replicaIds, Map<String, Integer> planets, long incarnation,
                      boolean published) {
        long written = 0;
        try (RocksStore store = RocksStore.open(dir, replicaId)) {
            if (store.meta().phase() == Phase.NEW) {
                store.commit(new StoreBatch().putIncarnation(incarnation).putPhase(Phase.SERVING));
            }
            NodeConfig config = NodeConfig.defaults(replicaId, replicaIds, incarnation, 1);
            if (!published) {
                config = config.withReplication(NodeConfig.Replication.INTERVAL);
            }
            ReplicaNode node = new ReplicaNode(config, store, 0);
            long tag = 0;
            for (Map.Entry<String, Integer> planet : planets.entrySet()) {
                for (int i = 0; i < planet.getValue(); i++) {
                    if (!node.takesCommands()) {
                        drain(node, store); // an eager node with too much unpublished would requeue the command
                    }
                    node.onCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, ++tag), ReplyAddress.NONE,
                            "bench-" + planet.getKey() + "-" + i, Command.addCity(planet.getKey(), "c" + i, 1), null);
                    written++;
                    if (written % COMMANDS_PER_BATCH == 0) {
                        drain(node, store);
                    }
                }
            }
            drain(node, store);
        }
        return written;
    }

    /** Carries out every Ready the node has, each committed and advanced as delivered (nothing is published here). */
    static void drain(ReplicaNode node, RocksStore store) {
        Ready ready;
        while ((ready = node.ready()) != null) {
            if (!ready.requeues().isEmpty()) {
                // a command not taken would leave a city out of the store, and the bench's writes to it failing
                throw new IllegalStateException(ready.requeues().size() + " command(s) not taken while building " + store);
            }
            store.commit(ready.commit());
            node.advance(ready, true); // nothing was published: peers join from this store, or it publishes once started
        }
    }
}
