package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.core.store.MemoryStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The replicas of a simulation and everything under them, shared by the simulations that drive the
 * production {@link ReplicaNode}: the {@link SimBroker}, one {@link MemoryStore} per replica, the
 * caller's loop that carries out each Ready (with a crash possible at every step, unconfirmed
 * publishes, channel recoveries, lost disks), and the {@link SimTruth} checked after every commit.
 * The simulation that owns it draws every choice from the one seeded {@link Random} it passes in,
 * and says where the replicas' answers go ({@link ReplySink}).
 */
final class SimCluster {

    /**
     * How the replicas run.
     *
     * @param crashPercent  how often a replica crashes between rounds (percent of events), and, times
     *                      five per mille, at each step of carrying out a Ready
     * @param pipelineDepth Readys a replica's loop has in flight at most, as the worker's pipeline:
     *                      1 carries out each Ready at once; more commits later Readys before earlier
     *                      ones are confirmed, and completes them in order, rounds later
     */
    record Settings(int replicas, NodeConfig.Replication mode, NodeRules rules, int crashPercent, int pageItems,
                    int pendingCapacity, int pipelineDepth) {
        Settings(int replicas, NodeConfig.Replication mode, NodeRules rules, int crashPercent, int pageItems,
                 int pendingCapacity) {
            this(replicas, mode, rules, crashPercent, pageItems, pendingCapacity, 1);
        }
    }

    /** A client's command as the broker carries it to a replica's command queue. */
    record SimCommand(String commandId, Command command, VectorClock required, ReplyAddress address) {
    }

    /**
     * Several clients' commands in one message, as a client connection batches the writes it sends to
     * one replica; commands join it only until the broker first delivers it. Its answers are batched
     * replies, which the sink routes by command id.
     */
    record SimBatch(List<SimCommand> commands, ReplyAddress address) {
        static final int MAX = 4;
    }

    /** Where a replica's answers go. */
    interface ReplySink {
        void send(SimReplica from, Ready.OutboundReply reply);
    }

    /** {@code -Dfulcrum.sim.trace=true}: keep the last events, and print them with a failure. */
    static final boolean TRACING = Boolean.getBoolean("fulcrum.sim.trace");

    final Settings settings;
    final Random random;
    final List<String> ids = new ArrayList<>();
    final LinkedHashMap<String, SimReplica> replicas = new LinkedHashMap<>();
    final SimBroker broker = new SimBroker();
    final SimTruth truth;
    final TreeMap<String, Long> tallies = new TreeMap<>();
    private final ReplySink replies;
    private final Deque<String> trace = new ArrayDeque<>();
    long now;
    boolean healing;
    String lastEvent = "start";

    SimCluster(Settings settings, Random random, ReplySink replies) {
        this.settings = settings;
        this.random = random;
        this.replies = replies;
        for (int i = 1; i <= settings.replicas(); i++) {
            ids.add("r" + i);
        }
        this.truth = new SimTruth(ids);
        for (String id : ids) {
            replicas.put(id, new SimReplica(id));
        }
    }

    void tally(String what) {
        tallies.merge(what, 1L, Long::sum);
    }

    void tally(String what, long n) {
        if (n > 0) {
            tallies.merge(what, n, Long::sum);
        }
    }

    void trace(String line) {
        if (!TRACING || healing && trace.size() > 2000) {
            return;
        }
        trace.addLast(now + " " + line);
        if (trace.size() > 3000) {
            trace.removeFirst();
        }
    }

    /** The last events, for a failure message when {@code -Dfulcrum.sim.trace=true}. */
    String traceText() {
        return TRACING ? "\ntrace:\n  " + String.join("\n  ", trace) : "";
    }

    SimReplica randomReplica() {
        return replicas.get(ids.get(random.nextInt(ids.size())));
    }

    SimReplica replica(String id) {
        return replicas.get(id);
    }

    /** Every replica serves, its queues are empty, and all applied the same entries. */
    boolean replicasConverged() {
        Map<String, Long> first = null;
        for (SimReplica r : replicas.values()) {
            if (!r.node.serving() || broker.depth(r.commandsQueue()) > 0 || broker.depth(r.mergeQueue()) > 0) {
                return false;
            }
            if (first == null) {
                first = r.node.applied();
            } else if (!first.equals(r.node.applied())) {
                return false;
            }
        }
        return true;
    }

    /** After convergence: byte-identical dumps, and every acknowledged write at every replica. */
    void checkFinal() {
        String dump = null;
        for (SimReplica r : replicas.values()) {
            String d = CanonicalDump.of(ids, r.store.planets(), r.store.meta().appliedSeq());
            if (dump == null) {
                dump = d;
            } else if (!dump.equals(d)) {
                throw new AssertionError("dumps differ after convergence:\n" + dump + "\nvs " + r.id + ":\n" + d);
            }
        }
        for (Map.Entry<String, Reply> acked : truth.acknowledged.entrySet()) {
            Reply reply = acked.getValue();
            for (SimReplica r : replicas.values()) {
                boolean present = r.store.commandRecords(acked.getKey()).stream()
                        .anyMatch(rec -> rec.origin().equals(reply.replica()) && rec.kind().changesState());
                if (!present) {
                    throw new AssertionError("acknowledged write " + acked.getKey() + " (" + reply + ") is missing at " + r.id
                            + ": its records " + r.store.commandRecords(acked.getKey()) + ", op log " + r.store.allOperations()
                            + ", meta " + r.store.meta());
                }
            }
            tally("acknowledged writes checked");
        }
    }

    /** Why the replicas did not converge. */
    String describeReplicas() {
        StringBuilder why = new StringBuilder();
        for (SimReplica r : replicas.values()) {
            why.append("\n  ").append(r.id).append(' ').append(r.node.phase()).append(" applied ").append(r.node.applied())
                    .append(" commands ").append(broker.depth(r.commandsQueue())).append(" merge ")
                    .append(broker.depth(r.mergeQueue())).append(" stats ").append(r.node.stats())
                    .append("\n    op log ").append(r.store.allOperations()).append("\n    meta ").append(r.store.meta())
                    .append("\n    dump ").append(CanonicalDump.of(ids, r.store.planets(), r.store.meta().appliedSeq()));
        }
        return why.toString();
    }

    // ---- replicas ------------------------------------------------------------------------------

    /** One replica: its store (which survives a crash, not a wipe), its node while up, its caller's loop. */
    final class SimReplica {
        final String id;
        MemoryStore store;
        ReplicaNode node;
        boolean up;
        /** Its merge consumer is behind: its rounds take nothing from the merge queue (so it lags its peers). */
        boolean mergeStalled;
        final Deque<ReplicaStatus> statusInbox = new ArrayDeque<>();
        /** Pipelined Readys handed out and not yet advanced, oldest first; the first {@code committed} are on disk. */
        private final Deque<Ready> inFlight = new ArrayDeque<>();
        private int committed;

        private final String commandsQueue;
        private final String mergeQueue;

        SimReplica(String id) {
            this.id = id;
            this.store = new MemoryStore(id);
            this.commandsQueue = "fulcrum." + id + ".commands";
            this.mergeQueue = "fulcrum." + id + ".merge";
        }

        String commandsQueue() {
            return commandsQueue;
        }

        String mergeQueue() {
            return mergeQueue;
        }

        void start() {
            NodeConfig nc = new NodeConfig(id, ids, settings.mode(), 40, 10, 2, settings.pendingCapacity(),
                    settings.pageItems(), 200, 1_000, 2, 1 + random.nextInt(1_000_000), random.nextLong());
            node = new ReplicaNode(nc, store, now, settings.rules());
            up = true;
        }

        void crash() {
            up = false;
            node = null;
            inFlight.clear();
            committed = 0;
            broker.recover(commandsQueue());
            broker.recover(mergeQueue());
            statusInbox.clear();
        }

        void wipe() {
            if (up) {
                crash();
            }
            truth.forgetUnescaped(id);
            store = new MemoryStore(id);
            start();
        }

        void recoverChannels() {
            broker.recover(commandsQueue());
            broker.recover(mergeQueue());
        }

        void round() {
            node.tick(now);
            if (node.takesCommands()) {
                for (SimBroker.Delivery d : broker.deliver(commandsQueue(), 1 + random.nextInt(4), 16)) {
                    DeliveryRef ref = new DeliveryRef(DeliveryRef.Source.COMMANDS, d.epoch(), d.tag());
                    if (d.message().body() instanceof SimBatch batch) {
                        node.onCommandBatch(ref, batch.address(), batch.commands().stream()
                                .<BatchedCommand>map(c -> new BatchedCommand.Valid(c.commandId(), c.command(), c.required()))
                                .toList());
                        tally(batch.commands().size() > 1 ? "batch of several commands delivered" : "batch of one command delivered");
                        continue;
                    }
                    SimCommand cc = (SimCommand) d.message().body();
                    node.onCommand(ref, cc.address(), cc.commandId(), cc.command(), cc.required());
                }
            }
            if (!mergeStalled) {
                for (SimBroker.Delivery d : broker.deliver(mergeQueue(), 1 + random.nextInt(4), 16)) {
                    node.onPeerMessage(new DeliveryRef(DeliveryRef.Source.MERGE, d.epoch(), d.tag()),
                            (PeerMessage) d.message().body());
                }
            }
            while (!statusInbox.isEmpty()) {
                node.onPeerMessage(new DeliveryRef(DeliveryRef.Source.STATUS, 0, 0), statusInbox.removeFirst());
            }
            if (settings.pipelineDepth() > 1) {
                pipelinedSteps();
                return;
            }
            for (int i = 0; i < 8 && up; i++) {
                Ready ready = node.ready();
                if (ready == null) {
                    return;
                }
                carryOut(ready);
            }
        }

        /**
         * The worker's pipelined loop: takes Readys while there is room, commits some of them in order
         * (the committer thread), and now and then completes the oldest committed one: handed back when
         * it is no longer deliverable (an earlier one failed), else published (possibly unconfirmed:
         * handed back), answered, acked and advanced. Later Readys are committed before earlier ones
         * are confirmed, and stay in flight across rounds while inputs go on arriving.
         */
        private void pipelinedSteps() {
            // few steps per round, so Readys stay in flight while the next rounds' inputs arrive
            for (int i = 0; i < 2 && up; i++) {
                while (inFlight.size() < settings.pipelineDepth()) {
                    Ready ready = node.ready();
                    if (ready == null) {
                        break;
                    }
                    inFlight.addLast(ready);
                }
                if (inFlight.isEmpty()) {
                    return;
                }
                List<Ready> waiting = new ArrayList<>(inFlight);
                for (int n = random.nextInt(inFlight.size() - committed + 1); n > 0; n--) {
                    Ready ready = waiting.get(committed);
                    if (crashHere("crash before commit")) {
                        return;
                    }
                    store.commit(ready.commit());
                    truth.committed(id, store, ready.commit());
                    committed++;
                    if (crashHere("crash after commit")) {
                        return;
                    }
                }
                if (committed == 0 || random.nextBoolean()) {
                    continue; // the oldest one is not carried on in this step
                }
                Ready head = inFlight.removeFirst();
                committed--;
                if (!node.deliverable(head)) {
                    handBack(head);
                    tally("pipelined Ready handed back after an earlier one failed");
                    continue;
                }
                if (!healing && !head.messages().isEmpty() && random.nextInt(100) < 2) {
                    for (Ready.Outbound m : head.messages()) {
                        if (random.nextBoolean()) {
                            route(m); // unconfirmed: each message may or may not have reached its queue(s)
                        }
                    }
                    handBack(head);
                    tally("publish unconfirmed");
                    continue;
                }
                head.messages().forEach(this::route);
                if (crashHere("crash after publish")) {
                    return;
                }
                deliver(head);
                tally("pipelined Ready delivered");
            }
        }

        private void handBack(Ready ready) {
            ready.acks().forEach(ref -> broker.requeue(queueOf(ref), ref.epoch(), ref.tag()));
            ready.requeues().forEach(ref -> broker.requeue(queueOf(ref), ref.epoch(), ref.tag()));
            node.advance(ready, false);
            tally("pipelined Ready handed back");
        }

        /** The caller's loop: commit, publish, answer, ack, announce, advance; a crash may cut it anywhere. */
        private void carryOut(Ready ready) {
            lastEvent = id + " carries out Ready " + ready.id();
            if (TRACING && (!ready.commit().operations().isEmpty() || !ready.messages().isEmpty() || !ready.notes().isEmpty()
                    || ready.commit().phase() != null)) {
                trace(id + " Ready " + ready.id() + " commit ops " + ready.commit().operations().stream().map(Operation::id).toList()
                        + " phase " + ready.commit().phase() + " msgs " + ready.messages().stream()
                        .map(m -> m.message().type() + (m.to() == null ? "" : "->" + m.to())
                                + (m.message() instanceof Delta d ? d.operations().stream().map(Operation::id).toList() : ""))
                        .toList() + " replies " + ready.replies().size() + " notes " + ready.notes());
            }
            if (crashHere("crash before commit")) {
                return;
            }
            store.commit(ready.commit());
            if (TRACING) {
                trace(id + " committed Ready " + ready.id() + " clears " + ready.commit().clearsData() + " records "
                        + ready.commit().commandRecords().keySet() + " applied " + ready.commit().appliedSeq()
                        + " compact " + ready.commit().compactUpTo() + " now holds " + store.allCommandRecords().size() + " records");
            }
            truth.committed(id, store, ready.commit());
            if (crashHere("crash after commit")) {
                return;
            }
            if (!healing && !ready.messages().isEmpty() && random.nextInt(100) < 2) {
                // unconfirmed: each message may or may not have reached its queue(s)
                for (Ready.Outbound m : ready.messages()) {
                    if (random.nextBoolean()) {
                        route(m);
                    }
                }
                ready.acks().forEach(ref -> broker.requeue(queueOf(ref), ref.epoch(), ref.tag()));
                node.advance(ready, false);
                tally("publish unconfirmed");
                return;
            }
            ready.messages().forEach(this::route);
            if (crashHere("crash after publish")) {
                return;
            }
            deliver(ready);
        }

        /** Confirmed: answers, acks, requeues, the announcement, advance; a crash may cut it after the answers. */
        private void deliver(Ready ready) {
            for (Ready.OutboundReply r : ready.replies()) {
                replies.send(this, r);
            }
            if (crashHere("crash after replies")) {
                return;
            }
            for (DeliveryRef ref : ready.acks()) {
                String q = queueOf(ref);
                if (ref.epoch() == broker.epoch(q)) {
                    broker.ack(q, ref.epoch(), ref.tag());
                }
            }
            ready.requeues().forEach(ref -> broker.requeue(queueOf(ref), ref.epoch(), ref.tag()));
            if (ready.status() != null) {
                for (SimReplica other : replicas.values()) {
                    if (other != this && other.up) {
                        other.statusInbox.addLast(ready.status());
                    }
                }
            }
            tally("dead letters", ready.deadLetters().size());
            node.advance(ready, true);
        }

        private boolean crashHere(String point) {
            if (!healing && random.nextInt(1000) < 5 * settings.crashPercent()) {
                tally(point);
                trace(id + ": " + point);
                lastEvent = id + ": " + point;
                crash();
                return true;
            }
            return false;
        }

        private void route(Ready.Outbound m) {
            if (m.message() instanceof Delta d) {
                truth.escaped(d);
            }
            if (m.route() == Ready.Route.MERGE_FANOUT) {
                for (SimReplica r : replicas.values()) {
                    broker.publish(r.mergeQueue(), m.message());
                }
            } else {
                broker.publish(replicas.get(m.to()).mergeQueue(), m.message());
            }
            tally("sent " + m.message().type());
        }

        private String queueOf(DeliveryRef ref) {
            return ref.source() == DeliveryRef.Source.COMMANDS ? commandsQueue() : mergeQueue();
        }
    }
}
