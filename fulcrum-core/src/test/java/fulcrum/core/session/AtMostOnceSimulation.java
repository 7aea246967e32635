package fulcrum.core.session;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.Reply;
import fulcrum.core.replica.Step;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Deterministic simulation of the write path's exactly-once machinery, one thread, one seeded
 * {@link Random}: clients send writes and re-send them (same id, same envelope) after lost replies;
 * a router walks each message's order, offering it to the next replica after a {@code STALE}
 * answer, and crashes (forgetting every chain it was walking, so the client's message is walked
 * again from the start); replicas keep a durable queue (a message waits while its replica is down),
 * decide with {@link Admission}, record what the decision says, and merge each other's operations,
 * so a replica that refused a command may dominate the session's clock by the time the command is
 * re-sent. Envelopes are adversarial: a required clock that some replica held at some point, or the
 * merge of two such clocks, and any last replica, so refusals happen often.
 *
 * <p>Checked after every event: no command id is executed at more than one replica, nor twice at
 * one. Variants switch off the recording of refusals or replace the fixed order with a fresh random
 * one per attempt (what a router that follows changing knowledge amounts to), to show that each rule
 * is needed and that the simulation sees the double apply they prevent.
 */
final class AtMostOnceSimulation {

    /** Which rules hold. */
    record Config(int replicas, int events, boolean recordRefusals, boolean fixedOrder) {
        static Config enforced() {
            return new Config(3, 300, true, true);
        }
    }

    record Result(Map<String, Long> tallies) {
        long tally(String name) {
            return tallies.getOrDefault(name, 0L);
        }
    }

    /** A client's command: id and envelope are fixed for every attempt. */
    private record Sent(String id, Command command, VectorClock required, String lastReplica) {
    }

    /** One attempt walking its order; lost when the router crashes (chain epoch). */
    private record Chain(Sent sent, List<String> order, int position, long routerEpoch) {
        String replica() {
            return order.get(position);
        }
    }

    private record ReplyToRouter(Chain chain, Reply reply) {
    }

    private static final class Node {
        final Replica replica;
        final Map<String, Reply> outcomes = new HashMap<>();
        final ArrayDeque<Chain> queue = new ArrayDeque<>();
        final List<Operation> log = new ArrayList<>();
        final List<VectorClock> clocksSeen = new ArrayList<>();
        boolean up = true;

        Node(String id, List<String> ids) {
            replica = Replica.fresh(id, ids);
        }
    }

    private final Config config;
    private final Random random;
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final WriteRouting writeRouting;
    private final List<Sent> sent = new ArrayList<>();
    private final List<ReplyToRouter> replies = new ArrayList<>();
    private final Map<String, Integer> executions = new HashMap<>();
    private final TreeMap<String, Long> tallies = new TreeMap<>();
    private long routerEpoch;

    private AtMostOnceSimulation(long seed, Config config) {
        this.config = config;
        this.random = new Random(seed);
        for (int i = 0; i < config.replicas(); i++) {
            ids.add(String.valueOf((char) ('A' + i)));
        }
        ids.forEach(id -> nodes.put(id, new Node(id, ids)));
        writeRouting = new WriteRouting(ids);
    }

    static Result run(long seed, Config config) {
        AtMostOnceSimulation sim = new AtMostOnceSimulation(seed, config);
        int event = 0;
        try {
            for (; event < config.events(); event++) {
                sim.step();
            }
            return new Result(sim.tallies);
        } catch (AssertionError e) {
            throw new AssertionError("seed=" + seed + " event #" + event + " (replay with AtMostOnceSimulation.run("
                    + seed + "L, " + config + ")): " + e.getMessage(), e);
        }
    }

    private void step() {
        int roll = random.nextInt(100);
        if (roll < 15) {
            send(newCommand());
        } else if (roll < 30 && !sent.isEmpty()) {
            tally("re-sends");
            send(sent.get(random.nextInt(sent.size())));
        } else if (roll < 60) {
            Node node = nodes.get(ids.get(random.nextInt(ids.size())));
            if (node.up && !node.queue.isEmpty()) {
                deliver(node, node.queue.poll());
            }
        } else if (roll < 75 && !replies.isEmpty()) {
            ReplyToRouter r = replies.remove(random.nextInt(replies.size()));
            if (random.nextInt(5) == 0) {
                tally("replies lost");
            } else {
                onReply(r);
            }
        } else if (roll < 88) {
            merge(nodes.get(ids.get(random.nextInt(ids.size()))), nodes.get(ids.get(random.nextInt(ids.size()))));
        } else if (roll < 95) {
            Node node = nodes.get(ids.get(random.nextInt(ids.size())));
            node.up = !node.up;
            tally(node.up ? "replica restarts" : "replica crashes");
        } else {
            routerEpoch++;
            tally("router crashes");
        }
    }

    private Sent newCommand() {
        String planet = "P" + random.nextInt(2);
        String id = "cmd-" + sent.size();
        Command command = random.nextBoolean() ? Command.addCity(planet, "c" + random.nextInt(3), random.nextInt(9))
                : Command.updateNumber(planet, "c" + random.nextInt(3), random.nextInt(9));
        VectorClock required = null;
        int shape = random.nextInt(4);
        if (shape > 0) {
            required = someClockSeen();
            if (shape == 3) {
                required = required.merge(someClockSeen());
            }
        }
        String last = random.nextInt(4) == 0 ? null : ids.get(random.nextInt(ids.size()));
        Sent s = new Sent(id, command, required, last);
        sent.add(s);
        return s;
    }

    private VectorClock someClockSeen() {
        Node node = nodes.get(ids.get(random.nextInt(ids.size())));
        return node.clocksSeen.isEmpty() ? VectorClock.empty() : node.clocksSeen.get(random.nextInt(node.clocksSeen.size()));
    }

    /** The router takes a client's message (first send, re-send or redelivery) and offers it to the first replica. */
    private void send(Sent s) {
        List<String> order;
        if (config.fixedOrder()) {
            order = writeRouting.order(s.id(), s.lastReplica());
        } else {
            order = new ArrayList<>(ids);
            Collections.shuffle(order, random);
        }
        Chain chain = new Chain(s, order, 0, routerEpoch);
        nodes.get(chain.replica()).queue.add(chain);
    }

    private void deliver(Node node, Chain chain) {
        Sent s = chain.sent();
        String self = node.replica.id();
        VectorClock have = node.replica.clockOf(s.command().planet());
        Admission.Decision decision = Admission.decide(self, s.command(), node.outcomes.get(s.id()), s.required(), have,
                (a, b) -> a.toString());
        Reply reply;
        if (decision instanceof Admission.AnswerStored stored) {
            tally("answered from the dedup record");
            reply = stored.reply();
        } else if (decision instanceof Admission.Refuse refuse) {
            tally("refused STALE");
            if (refuse.record() && config.recordRefusals()) {
                node.outcomes.put(s.id(), refuse.reply());
            }
            reply = refuse.reply();
        } else {
            Step step = node.replica.execute(s.id(), s.command());
            if (step.changedState()) {
                node.log.add(step.operation());
                node.clocksSeen.add(step.planetAfter().clock());
            }
            node.outcomes.put(s.id(), step.reply());
            int times = executions.merge(s.id(), 1, Integer::sum);
            tally("executed");
            if (times > 1) {
                throw new AssertionError("command " + s.id() + " executed " + times + " times, the last at " + self
                        + " (envelope required " + s.required() + ", last replica " + s.lastReplica() + ")");
            }
            reply = step.reply();
        }
        replies.add(new ReplyToRouter(chain, reply));
    }

    private void onReply(ReplyToRouter r) {
        Chain chain = r.chain();
        if (chain.routerEpoch() != routerEpoch) {
            return; // the router that walked this chain crashed; the client re-sends
        }
        if (!r.reply().ok() && r.reply().errorCode() == ErrorCode.STALE && chain.position() + 1 < chain.order().size()) {
            Chain next = new Chain(chain.sent(), chain.order(), chain.position() + 1, chain.routerEpoch());
            nodes.get(next.replica()).queue.add(next);
            tally("offered to the next replica");
        }
    }

    /** {@code from} sends its own operations to {@code to} (duplicates are no-ops, order per origin kept). */
    private void merge(Node from, Node to) {
        if (from == to || !to.up || from.log.isEmpty()) {
            return;
        }
        to.replica.applyRemote(from.log);
        for (String planet : to.replica.planets().keySet()) {
            to.clocksSeen.add(to.replica.clockOf(planet));
        }
        tally("merges");
    }

    private void tally(String name) {
        tallies.merge(name, 1L, Long::sum);
    }
}
