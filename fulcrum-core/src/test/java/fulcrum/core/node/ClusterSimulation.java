package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic simulation of a whole cluster in one thread, in the style of Kafka's
 * RaftEventSimulationTest, driving the production {@link ReplicaNode} over {@link MemoryStore}s and
 * a {@link SimBroker}. One seeded {@link Random} picks every event: clients send (and re-send)
 * commands to their replica, replicas run rounds (tick, take deliveries, carry out Readys), time
 * passes, replicas crash at every step of carrying out a Ready (before the commit, after it, after
 * publishing, after answering), publishes go unconfirmed (each message arriving or not), channels are
 * replaced (everything unacked comes back), and replicas lose their disk and rejoin.
 *
 * <p>Checked after every commit ({@link Truth}): no entry id is ever taken by two different entries;
 * no command id is applied twice; every serving replica's planet clock counts exactly the entries it
 * applied on that planet. At the end, after healing: every replica serves, all hold the same
 * entries, byte-identical state and clocks, and every acknowledged write is in all of them.
 */
final class ClusterSimulation {

    record Config(int replicas, int events, NodeConfig.Replication mode, NodeRules rules, int maxWipes, int crashPercent,
                  int pageItems, int pendingCapacity) {
        static Config standard() {
            return new Config(3, 400, NodeConfig.Replication.EAGER, NodeRules.ALL, 2, 3, 3, 6);
        }

        Config withRules(NodeRules r) {
            return new Config(replicas, events, mode, r, maxWipes, crashPercent, pageItems, pendingCapacity);
        }

        Config withMode(NodeConfig.Replication m) {
            return new Config(replicas, events, m, rules, maxWipes, crashPercent, pageItems, pendingCapacity);
        }

        Config withWipes(int n) {
            return new Config(replicas, events, mode, rules, n, crashPercent, pageItems, pendingCapacity);
        }

        Config withEvents(int n) {
            return new Config(replicas, n, mode, rules, maxWipes, crashPercent, pageItems, pendingCapacity);
        }
    }

    /** A client's command as the broker carries it. */
    record ClientCommand(String commandId, Command command, String replyTo) {
    }

    record Result(long seed, Map<String, Long> tallies) {
        long tally(String name) {
            return tallies.getOrDefault(name, 0L);
        }
    }

    private final long seed;
    private final Config config;
    private final Random random;
    private final List<String> ids = new ArrayList<>();
    private final LinkedHashMap<String, SimReplica> replicas = new LinkedHashMap<>();
    private final List<Client> clients = new ArrayList<>();
    private final SimBroker broker = new SimBroker();
    private final Truth truth;
    private final TreeMap<String, Long> tallies = new TreeMap<>();
    private long now;
    private int wipes;
    private boolean healing;
    private String lastEvent = "start";
    private final Deque<String> trace = new ArrayDeque<>();

    private ClusterSimulation(long seed, Config config) {
        this.seed = seed;
        this.config = config;
        this.random = new Random(seed);
        for (int i = 1; i <= config.replicas(); i++) {
            ids.add("r" + i);
        }
        this.truth = new Truth(ids);
        for (String id : ids) {
            replicas.put(id, new SimReplica(id));
        }
        for (int i = 0; i < 4; i++) {
            clients.add(new Client("client-" + i, ids.get(i % ids.size())));
        }
    }

    static Result run(long seed, Config config) {
        ClusterSimulation sim = new ClusterSimulation(seed, config);
        try {
            sim.runAll();
            return new Result(seed, sim.tallies);
        } catch (AssertionError | RuntimeException e) {
            AssertionError failure = new AssertionError("simulation failed: seed=" + seed + " config=" + config
                    + " after event '" + sim.lastEvent + "' at time " + sim.now + ": " + e.getMessage()
                    + (Boolean.getBoolean("fulcrum.sim.trace") ? "\ntrace:\n  " + String.join("\n  ", sim.trace) : ""), e);
            throw failure;
        }
    }

    private void tally(String what) {
        tallies.merge(what, 1L, Long::sum);
    }

    private void trace(String line) {
        if (healing && trace.size() > 2000) {
            return;
        }
        trace.addLast(now + " " + line);
        if (trace.size() > 3000) {
            trace.removeFirst();
        }
    }

    // ---- the schedule ----------------------------------------------------------------------------

    private void runAll() {
        for (SimReplica r : replicas.values()) {
            r.start();
        }
        for (int event = 0; event < config.events(); event++) {
            now += 1 + random.nextInt(4);
            int pick = random.nextInt(100);
            if (pick < 30) {
                clientStep(clients.get(random.nextInt(clients.size())), true);
            } else if (pick < 85) {
                SimReplica r = randomReplica();
                if (r.up) {
                    r.round();
                }
            } else if (pick < 85 + config.crashPercent()) {
                SimReplica r = randomReplica();
                if (r.up) {
                    lastEvent = "crash " + r.id;
                    trace(lastEvent);
                    r.crash();
                    tally("crash (between rounds)");
                }
            } else if (pick < 93) {
                SimReplica r = randomReplica();
                if (!r.up) {
                    lastEvent = "restart " + r.id;
                    trace(lastEvent);
                    r.start();
                    tally("restart");
                }
            } else if (pick < 95) {
                SimReplica r = randomReplica();
                if (r.up) {
                    lastEvent = "channel recovery " + r.id;
                    r.recoverChannels();
                    tally("channel recovery");
                }
            } else if (pick < 96 && wipes < config.maxWipes()) {
                SimReplica r = randomReplica();
                lastEvent = "wipe " + r.id;
                trace(lastEvent);
                r.wipe();
                wipes++;
                tally("disk wiped");
            } else {
                now += random.nextInt(30); // quiet time: intervals and timeouts fire
            }
        }
        heal();
    }

    /** Everything restarts, clients finish their commands, and the cluster must converge. */
    private void heal() {
        lastEvent = "heal";
        healing = true;
        for (SimReplica r : replicas.values()) {
            if (!r.up) {
                r.start();
            }
        }
        for (int round = 0; round < 40_000; round++) {
            now += 1 + random.nextInt(3);
            for (SimReplica r : replicas.values()) {
                r.round();
            }
            for (Client c : clients) {
                clientStep(c, false);
            }
            if (round % 50 == 49 && converged()) {
                tally("converged");
                checkFinal();
                return;
            }
        }
        StringBuilder why = new StringBuilder("did not converge:");
        for (SimReplica r : replicas.values()) {
            why.append("\n  ").append(r.id).append(' ').append(r.node.phase()).append(" applied ").append(r.node.applied())
                    .append(" commands ").append(broker.depth(r.commandsQueue())).append(" merge ")
                    .append(broker.depth(r.mergeQueue())).append(" stats ").append(r.node.stats())
                    .append("\n    op log ").append(r.store.allOperations()).append("\n    meta ").append(r.store.meta())
                    .append("\n    dump ").append(CanonicalDump.of(ids, r.store.planets(), r.store.meta().appliedSeq()));
        }
        clients.forEach(c -> why.append("\n  ").append(c.name).append(" pending ").append(c.pending));
        throw new AssertionError(why.toString());
    }

    private boolean converged() {
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
        return clients.stream().allMatch(c -> c.pending == null);
    }

    private void checkFinal() {
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

    private SimReplica randomReplica() {
        return replicas.get(ids.get(random.nextInt(ids.size())));
    }

    // ---- clients -------------------------------------------------------------------------------

    private final class Client {
        final String name;
        final String home;
        ClientCommand pending;
        final Deque<Ready.OutboundReply> inbox = new ArrayDeque<>();
        int sent;

        Client(String name, String home) {
            this.name = name;
            this.home = home;
        }
    }

    private void clientStep(Client c, boolean mayStartNew) {
        while (!c.inbox.isEmpty()) {
            Ready.OutboundReply answer = c.inbox.removeFirst();
            Reply reply = answer.reply();
            if (c.pending != null && c.pending.commandId().equals(answer.address().correlationId())) {
                trace(c.name + " got " + c.pending.commandId() + " " + reply);
                if (reply.ok() && reply.command().isWrite()) {
                    truth.acknowledged.put(c.pending.commandId(), reply);
                    tally("writes acknowledged");
                }
                c.pending = null;
            }
        }
        if (c.pending != null) {
            if (random.nextInt(10) == 0) {
                lastEvent = c.name + " re-sends " + c.pending.commandId();
                broker.publish(replicas.get(c.home).commandsQueue(), c.pending);
                tally("client re-send");
            }
            return;
        }
        if (!mayStartNew) {
            return;
        }
        String planet = "P" + random.nextInt(2);
        String city = "c" + random.nextInt(4);
        Command command = switch (random.nextInt(6)) {
            case 0, 1 -> Command.addCity(planet, city, random.nextInt(10));
            case 2 -> Command.updateName(planet, city, "c" + random.nextInt(4));
            case 3 -> Command.updateNumber(planet, city, random.nextInt(10));
            case 4 -> Command.deleteCity(planet, city);
            default -> Command.getNumberRebelds(planet, city);
        };
        c.pending = new ClientCommand(c.name + "-" + (++c.sent), command, c.name);
        lastEvent = c.name + " sends " + c.pending;
        broker.publish(replicas.get(c.home).commandsQueue(), c.pending);
    }

    private Client client(String name) {
        for (Client c : clients) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no client " + name);
    }

    // ---- replicas ------------------------------------------------------------------------------

    private final class SimReplica {
        final String id;
        MemoryStore store;
        ReplicaNode node;
        boolean up;
        final Deque<ReplicaStatus> statusInbox = new ArrayDeque<>();

        SimReplica(String id) {
            this.id = id;
            this.store = new MemoryStore(id);
        }

        String commandsQueue() {
            return "fulcrum." + id + ".commands";
        }

        String mergeQueue() {
            return "fulcrum." + id + ".merge";
        }

        void start() {
            NodeConfig nc = new NodeConfig(id, ids, config.mode(), 40, 10, 2, config.pendingCapacity(), config.pageItems(),
                    200, 1_000, 2, 1 + random.nextInt(1_000_000), random.nextLong());
            node = new ReplicaNode(nc, store, now, config.rules());
            up = true;
        }

        void crash() {
            up = false;
            node = null;
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
            if (node.serving()) {
                for (SimBroker.Delivery d : broker.deliver(commandsQueue(), 1 + random.nextInt(4), 16)) {
                    ClientCommand cc = (ClientCommand) d.message().body();
                    node.onCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, d.epoch(), d.tag()),
                            new ReplyAddress(cc.replyTo(), cc.commandId()), cc.commandId(), cc.command(), null);
                }
            }
            for (SimBroker.Delivery d : broker.deliver(mergeQueue(), 1 + random.nextInt(4), 16)) {
                node.onPeerMessage(new DeliveryRef(DeliveryRef.Source.MERGE, d.epoch(), d.tag()), (PeerMessage) d.message().body());
            }
            while (!statusInbox.isEmpty()) {
                node.onPeerMessage(new DeliveryRef(DeliveryRef.Source.STATUS, 0, 0), statusInbox.removeFirst());
            }
            for (int i = 0; i < 8 && up; i++) {
                Ready ready = node.ready();
                if (ready == null) {
                    return;
                }
                carryOut(ready);
            }
        }

        /** The caller's loop: commit, publish, answer, ack, announce, advance; a crash may cut it anywhere. */
        private void carryOut(Ready ready) {
            lastEvent = id + " carries out Ready " + ready.id();
            if (!ready.commit().operations().isEmpty() || !ready.messages().isEmpty() || !ready.notes().isEmpty()
                    || ready.commit().phase() != null) {
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
            if (Boolean.getBoolean("fulcrum.sim.trace")) {
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
            for (Ready.OutboundReply r : ready.replies()) {
                client(r.address().replyTo()).inbox.addLast(r);
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
            if (!healing && random.nextInt(1000) < 5 * config.crashPercent()) {
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

    private void tally(String what, long n) {
        if (n > 0) {
            tallies.merge(what, n, Long::sum);
        }
    }

    // ---- the truth -----------------------------------------------------------------------------

    /** Every entry any replica ever committed, and the invariants over them. */
    private static final class Truth {
        private record Entry(Operation op, boolean escaped) {
        }

        private final List<String> ids;
        private final Map<String, TreeMap<Long, Entry>> byOrigin = new HashMap<>();
        private final Map<String, List<String>> applications = new HashMap<>(); // command id -> "origin#seq"
        final Map<String, Reply> acknowledged = new LinkedHashMap<>();

        Truth(List<String> ids) {
            this.ids = ids;
        }

        void committed(String replica, MemoryStore store, StoreBatch batch) {
            for (Operation op : batch.operations()) {
                TreeMap<Long, Entry> log = byOrigin.computeIfAbsent(op.origin(), o -> new TreeMap<>());
                Entry existing = log.get(op.originSeq());
                if (existing == null) {
                    log.put(op.originSeq(), new Entry(op, !op.origin().equals(replica)));
                    if (op.kind().changesState()) {
                        List<String> apps = applications.computeIfAbsent(op.commandId(), c -> new ArrayList<>());
                        apps.add(op.id());
                        if (apps.size() > 1) {
                            throw new AssertionError("command " + op.commandId() + " applied twice: " + apps);
                        }
                    }
                } else if (!existing.op().equals(op)) {
                    throw new AssertionError("entry id " + op.id() + " taken twice: " + existing.op() + " and, at " + replica
                            + ", " + op);
                }
            }
            if (store.meta().phase() == Phase.SERVING) {
                boolean all = batch.phase() == Phase.SERVING;
                for (String planet : all ? planets(store) : batch.clocks().keySet()) {
                    checkClock(replica, store, planet);
                }
            }
        }

        private List<String> planets(MemoryStore store) {
            List<String> out = new ArrayList<>();
            store.planets().forEach(p -> out.add(p.name()));
            return out;
        }

        /** A serving replica's planet clock counts, per origin, exactly the entries it applied on the planet. */
        private void checkClock(String replica, MemoryStore store, String planet) {
            VectorClock clock = store.planetClock(planet);
            for (String origin : ids) {
                long applied = store.meta().applied(origin);
                long count = 0;
                for (Entry e : byOrigin.getOrDefault(origin, new TreeMap<>()).headMap(applied, true).values()) {
                    if (e.op().planet().equals(planet) && e.op().kind().changesState()) {
                        count++;
                    }
                }
                if (clock.get(origin) != count) {
                    throw new AssertionError(replica + "'s clock of " + planet + " is " + clock + " but it applied " + count
                            + " write(s) of " + origin + " there (applied " + store.meta().appliedSeq() + ")");
                }
            }
        }

        void escaped(Delta delta) {
            TreeMap<Long, Entry> log = byOrigin.get(delta.origin());
            for (Operation op : delta.operations()) {
                Entry e = log == null ? null : log.get(op.originSeq());
                if (e == null || !e.op().equals(op)) {
                    throw new AssertionError("published entry " + op.id() + " was never committed as such: " + op);
                }
                log.put(op.originSeq(), new Entry(op, true));
            }
        }

        /** A wiped replica's entries that never left it are gone: their ids may be taken again. */
        void forgetUnescaped(String origin) {
            TreeMap<Long, Entry> log = byOrigin.get(origin);
            if (log == null) {
                return;
            }
            log.values().removeIf(e -> {
                if (e.escaped()) {
                    return false;
                }
                List<String> apps = applications.get(e.op().commandId());
                if (apps != null) {
                    apps.remove(e.op().id());
                }
                return true;
            });
        }
    }

    static List<CommandRecord> records(MemoryStore store) {
        return store.allCommandRecords();
    }
}
