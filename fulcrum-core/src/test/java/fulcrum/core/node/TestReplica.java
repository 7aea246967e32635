package fulcrum.core.node;

import fulcrum.core.domain.Command;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.ConflictKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The production {@link ReplicaNode} over a {@link MemoryStore}, driven synchronously: every input
 * is followed by the Ready it causes, carried out at once (commit, then what it sends is collected
 * here). For directed tests of the node's rules; the simulations drive nodes asynchronously.
 */
public final class TestReplica {
    private final String id;
    private final List<String> ids;
    private final MemoryStore store;
    private final ReplicaNode node;
    private final List<Ready> readys = new ArrayList<>();
    private long tag;
    private long now;

    /** A serving replica of a cluster that already exists (incarnation 1), empty. */
    public TestReplica(String id, List<String> ids) {
        this(id, ids, NodeConfig.Replication.EAGER);
    }

    public TestReplica(String id, List<String> ids, NodeConfig.Replication mode) {
        this(id, ids, mode, servingStore(id));
    }

    private TestReplica(String id, List<String> ids, NodeConfig.Replication mode, MemoryStore store) {
        this.id = id;
        this.ids = List.copyOf(ids);
        this.store = store;
        this.node = new ReplicaNode(NodeConfig.defaults(id, ids, 1, 1).withReplication(mode).withPendingCapacity(64), store, 0);
    }

    private static MemoryStore servingStore(String id) {
        MemoryStore store = new MemoryStore(id);
        store.commit(new StoreBatch().putIncarnation(1).putPhase(Phase.SERVING));
        return store;
    }

    /** The same store under a new node: what a restart after a crash reads. */
    public static TestReplica restart(TestReplica crashed) {
        return new TestReplica(crashed.id, crashed.ids, NodeConfig.Replication.EAGER, crashed.store);
    }

    public String id() {
        return id;
    }

    public ReplicaNode node() {
        return node;
    }

    public MemoryStore store() {
        return store;
    }

    /** Executes a command as a client's delivery and returns the answer. */
    public Reply execute(String commandId, Command command) {
        node.tick(++now);
        node.onCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, ++tag), new ReplyAddress("client", commandId),
                commandId, command, null);
        Ready ready = runOnce();
        return ready.replies().get(ready.replies().size() - 1).reply();
    }

    /** Delivers one batch of commands (one delivery) and returns the Ready that answers it. */
    public Ready executeBatch(List<BatchedCommand> batch) {
        node.tick(++now);
        node.onCommandBatch(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, ++tag), new ReplyAddress("client", "batch-" + tag),
                batch);
        return runOnce();
    }

    /** The newest own entry. */
    public Operation lastEntry() {
        List<Operation> own = store.allOperations().stream().filter(o -> o.origin().equals(id)).toList();
        return own.get(own.size() - 1);
    }

    /** Delivers peers' entries, one delta per consecutive run of one origin, in the order given. */
    public void merge(List<Operation> entries) {
        node.tick(++now);
        List<Operation> run = new ArrayList<>();
        for (Operation op : entries) {
            if (!run.isEmpty() && (!run.get(0).origin().equals(op.origin())
                    || run.get(run.size() - 1).originSeq() + 1 != op.originSeq() || run.size() == Delta.MAX_OPS)) {
                deliver(run);
                run = new ArrayList<>();
            }
            run.add(op);
        }
        if (!run.isEmpty()) {
            deliver(run);
        }
        runOnce();
    }

    /** Delivers one message from the merge queue (or, for a status, the status queue) and returns the Ready. */
    public Ready receive(fulcrum.core.protocol.PeerMessage message) {
        node.tick(++now);
        DeliveryRef.Source source = message instanceof fulcrum.core.protocol.ReplicaStatus
                ? DeliveryRef.Source.STATUS : DeliveryRef.Source.MERGE;
        node.onPeerMessage(new DeliveryRef(source, 0, ++tag), message);
        return runOnce();
    }

    /** Lets time pass (intervals, timeouts) and returns the Ready it causes, or null. */
    public Ready advanceTime(long millis) {
        now += millis;
        node.tick(now);
        return runOnce();
    }

    private void deliver(List<Operation> run) {
        node.onPeerMessage(new DeliveryRef(DeliveryRef.Source.MERGE, 0, ++tag), new Delta(run.get(0).origin(), run));
    }

    private Ready runOnce() {
        Ready ready = node.ready();
        if (ready == null) {
            return null;
        }
        store.commit(ready.commit());
        node.advance(ready, true);
        readys.add(ready);
        return ready;
    }

    public List<Ready> readys() {
        return readys;
    }

    public SortedMap<String, Planet> planets() {
        TreeMap<String, Planet> out = new TreeMap<>();
        store.planets().forEach(p -> out.put(p.name(), p));
        return out;
    }

    public Map<ConflictKind, Long> conflicts() {
        return node.stats().conflicts();
    }

    public Map<String, Long> applied() {
        return node.applied();
    }

    public String dump() {
        return CanonicalDump.of(ids, store.planets(), store.meta().appliedSeq());
    }
}
