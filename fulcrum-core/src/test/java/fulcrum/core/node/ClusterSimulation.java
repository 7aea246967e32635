package fulcrum.core.node;

import fulcrum.core.domain.Command;
import fulcrum.core.node.SimCluster.SimCommand;
import fulcrum.core.node.SimCluster.SimReplica;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.MemoryStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic simulation of a whole cluster in one thread, in the style of Kafka's
 * RaftEventSimulationTest, driving the production {@link ReplicaNode} over {@link MemoryStore}s and
 * a {@link SimBroker} ({@link SimCluster}). One seeded {@link Random} picks every event: clients send
 * (and re-send) commands straight to their replica's queue, replicas run rounds (tick, take
 * deliveries, carry out Readys), time passes, replicas crash at every step of carrying out a Ready
 * (before the commit, after it, after publishing, after answering), publishes go unconfirmed (each
 * message arriving or not), channels are replaced (everything unacked comes back), and replicas lose
 * their disk and rejoin.
 *
 * <p>Checked after every commit ({@link SimTruth}): no entry id is ever taken by two different
 * entries; no command id is applied twice; every serving replica's planet clock counts exactly the
 * entries it applied on that planet. At the end, after healing: every replica serves, all hold the
 * same entries, byte-identical state and clocks, and every acknowledged write is in all of them.
 * The whole path, with the router and client sessions, is {@link PathSimulation}'s.
 */
final class ClusterSimulation {

    record Config(int replicas, int events, NodeConfig.Replication mode, NodeRules rules, int maxWipes, int crashPercent,
                  int pageItems, int pendingCapacity, int pipelineDepth) {
        static Config standard() {
            return new Config(3, 400, NodeConfig.Replication.EAGER, NodeRules.ALL, 2, 3, 3, 6, 1);
        }

        /** Each replica's loop pipelined as the worker's, up to {@code depth} Readys in flight. */
        Config withPipelineDepth(int depth) {
            return new Config(replicas, events, mode, rules, maxWipes, crashPercent, pageItems, pendingCapacity, depth);
        }

        Config withRules(NodeRules r) {
            return new Config(replicas, events, mode, r, maxWipes, crashPercent, pageItems, pendingCapacity, pipelineDepth);
        }

        Config withMode(NodeConfig.Replication m) {
            return new Config(replicas, events, m, rules, maxWipes, crashPercent, pageItems, pendingCapacity, pipelineDepth);
        }

        Config withWipes(int n) {
            return new Config(replicas, events, mode, rules, n, crashPercent, pageItems, pendingCapacity, pipelineDepth);
        }

        Config withEvents(int n) {
            return new Config(replicas, n, mode, rules, maxWipes, crashPercent, pageItems, pendingCapacity, pipelineDepth);
        }

        SimCluster.Settings settings() {
            return new SimCluster.Settings(replicas, mode, rules, crashPercent, pageItems, pendingCapacity, pipelineDepth);
        }
    }

    record Result(long seed, Map<String, Long> tallies) {
        long tally(String name) {
            return tallies.getOrDefault(name, 0L);
        }
    }

    private final Config config;
    private final Random random;
    private final SimCluster cluster;
    private final List<Client> clients = new ArrayList<>();
    private int wipes;

    private ClusterSimulation(long seed, Config config) {
        this.config = config;
        this.random = new Random(seed);
        this.cluster = new SimCluster(config.settings(), random,
                (from, reply) -> client(reply.address().replyTo()).inbox.addLast(reply));
        for (int i = 0; i < 4; i++) {
            clients.add(new Client("client-" + i, cluster.ids.get(i % cluster.ids.size())));
        }
    }

    static Result run(long seed, Config config) {
        ClusterSimulation sim = new ClusterSimulation(seed, config);
        try {
            sim.runAll();
            return new Result(seed, sim.cluster.tallies);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("simulation failed: seed=" + seed + " config=" + config
                    + " after event '" + sim.cluster.lastEvent + "' at time " + sim.cluster.now + ": " + e.getMessage()
                    + sim.cluster.traceText(), e);
        }
    }

    // ---- the schedule ----------------------------------------------------------------------------

    private void runAll() {
        for (SimReplica r : cluster.replicas.values()) {
            r.start();
        }
        for (int event = 0; event < config.events(); event++) {
            cluster.now += 1 + random.nextInt(4);
            int pick = random.nextInt(100);
            if (pick < 30) {
                clientStep(clients.get(random.nextInt(clients.size())), true);
            } else if (pick < 85) {
                SimReplica r = cluster.randomReplica();
                if (r.up) {
                    r.round();
                }
            } else if (pick < 85 + config.crashPercent()) {
                SimReplica r = cluster.randomReplica();
                if (r.up) {
                    cluster.lastEvent = "crash " + r.id;
                    cluster.trace(cluster.lastEvent);
                    r.crash();
                    cluster.tally("crash (between rounds)");
                }
            } else if (pick < 93) {
                SimReplica r = cluster.randomReplica();
                if (!r.up) {
                    cluster.lastEvent = "restart " + r.id;
                    cluster.trace(cluster.lastEvent);
                    r.start();
                    cluster.tally("restart");
                }
            } else if (pick < 95) {
                SimReplica r = cluster.randomReplica();
                if (r.up) {
                    cluster.lastEvent = "channel recovery " + r.id;
                    r.recoverChannels();
                    cluster.tally("channel recovery");
                }
            } else if (pick < 96 && wipes < config.maxWipes()) {
                SimReplica r = cluster.randomReplica();
                cluster.lastEvent = "wipe " + r.id;
                cluster.trace(cluster.lastEvent);
                r.wipe();
                wipes++;
                cluster.tally("disk wiped");
            } else {
                cluster.now += random.nextInt(30); // quiet time: intervals and timeouts fire
            }
        }
        heal();
    }

    /** Everything restarts, clients finish their commands, and the cluster must converge. */
    private void heal() {
        cluster.lastEvent = "heal";
        cluster.healing = true;
        for (SimReplica r : cluster.replicas.values()) {
            if (!r.up) {
                r.start();
            }
        }
        for (int round = 0; round < 40_000; round++) {
            cluster.now += 1 + random.nextInt(3);
            for (SimReplica r : cluster.replicas.values()) {
                r.round();
            }
            for (Client c : clients) {
                clientStep(c, false);
            }
            if (round % 50 == 49 && cluster.replicasConverged() && clients.stream().allMatch(c -> c.pending == null)) {
                cluster.tally("converged");
                cluster.checkFinal();
                return;
            }
        }
        StringBuilder why = new StringBuilder("did not converge:").append(cluster.describeReplicas());
        clients.forEach(c -> why.append("\n  ").append(c.name).append(" pending ").append(c.pending));
        throw new AssertionError(why.toString());
    }

    // ---- clients -------------------------------------------------------------------------------

    private final class Client {
        final String name;
        final String home;
        SimCommand pending;
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
                cluster.trace(c.name + " got " + c.pending.commandId() + " " + reply);
                if (reply.ok() && reply.command().isWrite()) {
                    cluster.truth.acknowledged.put(c.pending.commandId(), reply);
                    cluster.tally("writes acknowledged");
                }
                c.pending = null;
            }
        }
        if (c.pending != null) {
            if (random.nextInt(10) == 0) {
                cluster.lastEvent = c.name + " re-sends " + c.pending.commandId();
                cluster.broker.publish(cluster.replica(c.home).commandsQueue(), c.pending);
                cluster.tally("client re-send");
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
        String commandId = c.name + "-" + (++c.sent);
        c.pending = new SimCommand(commandId, command, null, new ReplyAddress(c.name, commandId));
        cluster.lastEvent = c.name + " sends " + c.pending;
        cluster.broker.publish(cluster.replica(c.home).commandsQueue(), c.pending);
    }

    private Client client(String name) {
        for (Client c : clients) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no client " + name);
    }
}
