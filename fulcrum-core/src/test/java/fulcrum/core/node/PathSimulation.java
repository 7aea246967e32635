package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.node.SimCluster.SimCommand;
import fulcrum.core.node.SimCluster.SimReplica;
import fulcrum.core.replica.Reply;
import fulcrum.core.router.ClientMessage;
import fulcrum.core.router.InboundRef;
import fulcrum.core.router.RouterCore;
import fulcrum.core.router.RouterLimits;
import fulcrum.core.router.RouterReady;
import fulcrum.core.router.RouteAnswer;
import fulcrum.core.router.RouterVariants;
import fulcrum.core.session.SessionChecker;
import fulcrum.core.session.SessionEvent;
import fulcrum.core.session.SessionState;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deterministic simulation of the whole write and read path in one thread: clients with a
 * {@link SessionState} send commands and queries to the router's queues, one or two copies of the
 * production {@link RouterCore} forward them to the replicas' command queues and relay the answers,
 * and the production {@link ReplicaNode}s (over {@link MemoryStore}s, in a {@link SimCluster}) answer,
 * merge, crash, lose their disk and rejoin. One seeded {@link Random} picks every event.
 *
 * <p>Writes take the direct path (see the README's "The router"): the client asks a router for the
 * write's route ({@link RouterCore#onRouteRequest}), publishes the command to the route's first
 * replica with itself as reply-to, and on that replica's {@code STALE} to the next; a refusal is
 * final only from the route's last replica, and a re-send walks again from a new route request.
 * One send in five of a write (drawn per send, so one command id may take both paths) goes the
 * legacy way, through the router's command queue.
 *
 * <p>The routers are carried out as the {@code broker-router} shell does: a round feeds the time
 * and a batch of deliveries to the core (route requests are answered at once), then publishes each
 * {@link RouterReady} and acks what it says without waiting for confirms; confirms come later, a
 * prefix at a time, and each confirmed Ready is advanced in order. A failure resets the core and
 * hands every unacked delivery back. A router crashes between rounds, before publishing or
 * after publishing and before acking; its in-flight table and its reply queue are lost with it,
 * its unacked deliveries go to the other copy or to its next start. Its channel may be replaced
 * (the reply queue too), and some of its publishes may go unconfirmed.
 *
 * <p>A session client sends the command with its session's required clock and last replica for
 * the planet; after a timeout or an {@code UNAVAILABLE} it re-sends the very same message (same
 * command id and envelope), at most {@link Config#maxAttempts} times, then waits for the end of
 * the faults to send it again. It checks every answer with {@link SessionState#check} (unless the
 * variant switches that off) and records it. Now and then a session's file has lost its replicas
 * (clocks only), so that its write walks the order from the command id. Adversaries send writes
 * with arbitrary envelopes (a clock some answer carried, two merged, or one write beyond any answer;
 * any last replica), so that replicas refuse often and writes walk their order: the exactly-once
 * rules must hold whatever the envelope. Faults are aimed where those rules matter: a replica that
 * refused a write may lose its disk soon after; a replica's merge consumer may stall, so it lags.
 *
 * <p>Checked: after every commit, {@link SimTruth}'s invariants (no command id applied twice, at one
 * replica or at two, also across lost disks; no entry id taken twice; clocks count the writes);
 * at the end, after the faults stop, every client's command is answered, the replicas converge to
 * identical state holding every acknowledged write, and {@link SessionChecker} runs over the
 * sessions' history (see {@link Result}).
 */
final class PathSimulation {
    static final String COMMANDS = "mos-eisley.commands";
    static final String QUERIES = "mos-eisley.queries";
    static final String ROUTES = "mos-eisley.routes";
    /** The reply-to of batches: answers to batched commands are routed by command id, not by client. */
    private static final String BATCHING_CONNECTION = "batching-connection";
    private static final int ROUTER_PREFETCH = 8;
    private static final int ROUTER_BATCH = 16;
    private static final long QUERY_TIMEOUT_MILLIS = 30;

    /**
     * What a schedule runs, and which rules hold. A value: each {@code with...} returns a changed copy.
     * {@link #toString} names every setting, so that a failure can be replayed.
     */
    static final class Config implements Cloneable {
        int replicas = 3;
        int routers = 2;
        /** clients with a session */
        int sessions = 4;
        /** clients that send writes with arbitrary envelopes (not sessions) */
        int adversaries;
        int planets = 2;
        int events = 250;
        NodeConfig.Replication mode = NodeConfig.Replication.EAGER;
        NodeRules rules = NodeRules.ALL;
        RouterVariants.WriteOrder writeOrder = RouterVariants.WriteOrder.FIXED_BY_THE_MESSAGE;
        /** whether session clients refuse answers older than their session */
        boolean clientCheck = true;
        /** how often a session starts a command from a session file whose replicas are unknown (percent) */
        int forgetPercent = 5;
        /** disks lost per schedule at most */
        int maxWipes = 2;
        /** how often a disk is lost (percent of events; only while every other store serves) */
        int wipePercent = 1;
        /** how often a replica that refused a write loses its disk soon after (where exactly-once matters) */
        int wipeAfterRefusalPercent = 10;
        /** how often a replica crashes between rounds (percent of events), and, times five per mille, at each step */
        int crashPercent = 2;
        /** the same for a router */
        int routerCrashPercent = 1;
        /** how often an answer the router relays is lost on its way to the client (percent) */
        int answerLossPercent = 2;
        /** sends of one command while faults happen (then it waits for the end of the faults) */
        int maxAttempts = 6;
        /** flights a router remembers; at the bound the oldest is answered UNAVAILABLE */
        int routerMaxInFlight = 64;
        /**
         * how often a send of a write goes the legacy way, through the router's command queue, instead
         * of walking a route itself (percent; drawn per send, so one command may take both paths)
         */
        int legacyWritePercent = 20;
        /** Readys each replica's loop has in flight at most (1: each carried out at once; more: the worker's pipeline) */
        int pipelineDepth = 1;
        /**
         * how often a direct write goes in a batch (percent): it joins the batch waiting undelivered in
         * the replica's queue, or starts one, as a client connection batches its writes to one replica
         */
        int batchPercent = 30;

        /** Sessions reading and writing through two routers, every rule on. */
        static Config forSessions() {
            return new Config();
        }

        /** Sessions and adversaries, one planet, so that writes are refused and walk their order often. */
        static Config forAtMostOnce() {
            return new Config().with(c -> {
                c.sessions = 2;
                c.adversaries = 3;
                c.planets = 1;
            });
        }

        /** A copy with {@code change} made to it. */
        private Config with(java.util.function.Consumer<Config> change) {
            try {
                Config c = (Config) clone();
                change.accept(c);
                return c;
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        Config withRules(NodeRules r) {
            return with(c -> c.rules = r);
        }

        Config withMode(NodeConfig.Replication m) {
            return with(c -> c.mode = m);
        }

        Config withWriteOrder(RouterVariants.WriteOrder o) {
            return with(c -> c.writeOrder = o);
        }

        Config withClientCheck(boolean on) {
            return with(c -> c.clientCheck = on);
        }

        Config withForgetPercent(int percent) {
            return with(c -> c.forgetPercent = percent);
        }

        /**
         * At most {@code n} disks lost: at any event with {@code percent} percent chance, and soon after
         * refusing a write with {@code afterRefusalPercent} percent chance.
         */
        Config withWipes(int n, int percent, int afterRefusalPercent) {
            return with(c -> {
                c.maxWipes = n;
                c.wipePercent = percent;
                c.wipeAfterRefusalPercent = afterRefusalPercent;
            });
        }

        Config withEvents(int n) {
            return with(c -> c.events = n);
        }

        Config withRouterMaxInFlight(int n) {
            return with(c -> c.routerMaxInFlight = n);
        }

        Config withRouters(int n) {
            return with(c -> c.routers = n);
        }

        Config withPipelineDepth(int depth) {
            return with(c -> c.pipelineDepth = depth);
        }

        Config withBatchPercent(int percent) {
            return with(c -> c.batchPercent = percent);
        }

        Config withReplicas(int n) {
            return with(c -> c.replicas = n);
        }

        SimCluster.Settings settings() {
            return new SimCluster.Settings(replicas, mode, rules, crashPercent, 3, 6, pipelineDepth);
        }

        @Override
        public String toString() {
            return "Config[replicas=" + replicas + ", routers=" + routers + ", sessions=" + sessions
                    + ", adversaries=" + adversaries + ", planets=" + planets + ", events=" + events + ", mode=" + mode
                    + ", rules=" + rules + ", writeOrder=" + writeOrder + ", clientCheck=" + clientCheck
                    + ", forgetPercent=" + forgetPercent + ", maxWipes=" + maxWipes + ", wipePercent=" + wipePercent
                    + ", wipeAfterRefusalPercent=" + wipeAfterRefusalPercent + ", crashPercent=" + crashPercent
                    + ", routerCrashPercent=" + routerCrashPercent + ", answerLossPercent=" + answerLossPercent
                    + ", maxAttempts=" + maxAttempts + ", routerMaxInFlight=" + routerMaxInFlight
                    + ", legacyWritePercent=" + legacyWritePercent + ", pipelineDepth=" + pipelineDepth
                    + ", batchPercent=" + batchPercent + "]";
        }
    }

    /**
     * What a schedule did.
     *
     * @param history          every answer a session accepted, in the order accepted, plus every write a
     *                         replica applied whose answer the session's check refused (it happened)
     * @param violations       {@link SessionChecker}'s verdict on {@code history}
     * @param refusedByClient  indices in {@code history} of the applied writes the client refused
     */
    record Result(long seed, Map<String, Long> tallies, List<SessionEvent> history,
                  List<SessionChecker.Violation> violations, Set<Integer> refusedByClient) {
        long tally(String name) {
            return tallies.getOrDefault(name, 0L);
        }
    }

    /** A replica's answer on its way to a router's reply queue. */
    private record ReplicaAnswer(String forwardId, Reply reply) {
    }

    /** A router's or (on the direct write path) a replica's answer on its way to a client. */
    private record Answer(String correlationId, Reply reply) {
    }

    /** A router's answer to a route request, on its way to a client. */
    private record RouteReply(String commandId, RouteAnswer answer) {
    }

    private final Config config;
    private final Random random;
    private final SimCluster cluster;
    private final List<SimRouter> routers = new ArrayList<>();
    private final List<SimClient> clients = new ArrayList<>();
    /** The bodies of replicas' answers, as the routers relay them: the index is the body. */
    private final List<Reply> wire = new ArrayList<>();
    private long batches;
    /** Per planet, every clock an answer carried: the adversaries' envelopes are made of them. */
    private final Map<String, List<VectorClock>> clocksSeen = new HashMap<>();
    private final List<SessionEvent> history = new ArrayList<>();
    private final Set<Integer> refusedByClient = new LinkedHashSet<>();
    private int wipes;
    /** Replicas that refused a write and are to lose their disk at one of the next events. */
    private final Set<String> wipeSoon = new LinkedHashSet<>();

    private PathSimulation(long seed, Config config) {
        this.config = config;
        this.random = new Random(seed);
        this.cluster = new SimCluster(config.settings(), random, this::toRouter);
        for (int i = 0; i < config.routers; i++) {
            routers.add(new SimRouter("router-" + (char) ('A' + i)));
        }
        for (int i = 0; i < config.sessions; i++) {
            clients.add(new SimClient("session-" + i, false));
        }
        for (int i = 0; i < config.adversaries; i++) {
            clients.add(new SimClient("adversary-" + i, true));
        }
    }

    static Result run(long seed, Config config) {
        PathSimulation sim = new PathSimulation(seed, config);
        try {
            sim.runAll();
            List<SessionChecker.Violation> violations = SessionChecker.check(sim.history);
            return new Result(seed, sim.cluster.tallies, List.copyOf(sim.history), violations,
                    Set.copyOf(sim.refusedByClient));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("path simulation failed: seed=" + seed + " (replay with PathSimulation.run(" + seed
                    + "L, " + config + ")) after event '" + sim.cluster.lastEvent + "' at time " + sim.cluster.now
                    + ": " + e.getMessage() + sim.cluster.traceText(), e);
        }
    }

    private void tally(String what) {
        cluster.tally(what);
    }

    private void trace(String line) {
        cluster.trace(line);
    }

    // ---- the schedule ----------------------------------------------------------------------------

    private void runAll() {
        for (SimReplica r : cluster.replicas.values()) {
            r.start();
        }
        warmUp();
        for (SimRouter r : routers) {
            r.start();
        }
        for (int event = 0; event < config.events; event++) {
            cluster.now += 1 + random.nextInt(4);
            if (!wipeSoon.isEmpty() && random.nextInt(10) == 0) {
                String id = wipeSoon.iterator().next();
                wipeSoon.remove(id);
                wipe(cluster.replica(id), "disk wiped after a refusal");
            }
            int pick = random.nextInt(100);
            int bound = 25;
            if (pick < bound) {
                clientStep(clients.get(random.nextInt(clients.size())), true);
            } else if (pick < (bound += 30)) {
                SimReplica r = cluster.randomReplica();
                if (r.up) {
                    r.round();
                }
            } else if (pick < (bound += 20)) {
                SimRouter r = routers.get(random.nextInt(routers.size()));
                if (r.up) {
                    r.round();
                }
            } else if (pick < (bound += config.crashPercent)) {
                SimReplica r = cluster.randomReplica();
                if (r.up) {
                    event("crash " + r.id);
                    r.crash();
                    tally("replica crash (between rounds)");
                }
            } else if (pick < (bound += 5)) {
                SimReplica r = cluster.randomReplica();
                if (!r.up) {
                    event("restart " + r.id);
                    r.start();
                    tally("replica restart");
                }
            } else if (pick < (bound += 3)) {
                SimReplica r = cluster.randomReplica();
                r.mergeStalled = !r.mergeStalled && random.nextInt(3) == 0;
                tally(r.mergeStalled ? "replica merge consumer stalls" : "replica merge consumer runs");
            } else if (pick < (bound += 2)) {
                SimReplica r = cluster.randomReplica();
                if (r.up) {
                    event("channel recovery " + r.id);
                    r.recoverChannels();
                    tally("replica channel recovery");
                }
            } else if (pick < (bound += config.wipePercent)) {
                wipe(cluster.randomReplica(), "disk wiped");
            } else if (pick < (bound += config.routerCrashPercent)) {
                SimRouter r = routers.get(random.nextInt(routers.size()));
                if (r.up) {
                    r.crash("router crash (between rounds)");
                }
            } else if (pick < (bound += 4)) {
                SimRouter r = routers.get(random.nextInt(routers.size()));
                if (!r.up) {
                    event("restart " + r.name);
                    r.start();
                    tally("router restart");
                }
            } else if (pick < (bound += 1)) {
                SimRouter r = routers.get(random.nextInt(routers.size()));
                if (r.up) {
                    r.recoverChannel();
                }
            } else {
                cluster.now += random.nextInt(30); // quiet time: intervals and timeouts fire
            }
        }
        heal();
    }

    /** {@code r} loses its disk, if the schedule allows one more and every other store serves. */
    private void wipe(SimReplica r, String what) {
        if (wipes < config.maxWipes && othersServe(r)) {
            event("wipe " + r.id);
            r.wipe();
            wipes++;
            tally(what);
        }
    }

    /** A new cluster forms (its replicas find each other's stores empty) before the schedule starts. */
    private void warmUp() {
        cluster.healing = true;
        for (int round = 0; !cluster.replicas.values().stream().allMatch(r -> r.node.serving()); round++) {
            if (round == 1_000) {
                throw new AssertionError("a new cluster did not form:" + cluster.describeReplicas());
            }
            cluster.now += 1 + random.nextInt(3);
            cluster.replicas.values().forEach(SimReplica::round);
        }
        cluster.healing = false;
    }

    /**
     * Whether every other replica's store serves, i.e. holds a whole copy: a disk is lost only then,
     * as the guarantees are for the loss of one disk at a time (a second disk lost while the first
     * replica still rejoins may hold the only copy of acknowledged writes).
     */
    private boolean othersServe(SimReplica r) {
        for (SimReplica other : cluster.replicas.values()) {
            if (other != r && other.store.meta().phase() != Phase.SERVING) {
                return false;
            }
        }
        return true;
    }

    private void event(String what) {
        cluster.lastEvent = what;
        trace(what);
    }

    /**
     * The faults stop: everything restarts, clients send what they still wait for, and every command
     * must get its answer while the replicas converge.
     */
    private void heal() {
        event("heal");
        cluster.healing = true;
        for (SimReplica r : cluster.replicas.values()) {
            r.mergeStalled = false;
            if (!r.up) {
                r.start();
            }
        }
        for (SimRouter r : routers) {
            if (!r.up) {
                r.start();
            }
        }
        for (SimClient c : clients) {
            if (c.pending != null) {
                // what a client still waits for is sent again at once (the same message: safe, and its
                // answer may have been lost with a router before the faults stopped)
                c.pending.parked = false;
                c.pending.deadline = cluster.now;
            }
        }
        for (int round = 0; round < 20_000; round++) {
            cluster.now += 1 + random.nextInt(3);
            for (SimReplica r : cluster.replicas.values()) {
                r.round();
            }
            for (SimRouter r : routers) {
                r.round();
            }
            for (SimClient c : clients) {
                clientStep(c, false);
            }
            if (round % 5 == 4 && settled()) {
                tally("converged");
                cluster.tally("heal rounds", round);
                cluster.checkFinal();
                return;
            }
        }
        StringBuilder why = new StringBuilder("no convergence, or a command without an answer, after the faults stopped:")
                .append(cluster.describeReplicas());
        for (SimRouter r : routers) {
            why.append("\n  ").append(r.name).append(" in flight ").append(r.core.inFlight()).append(", queues ")
                    .append(cluster.broker.depth(COMMANDS)).append('/').append(cluster.broker.depth(QUERIES)).append('/')
                    .append(cluster.broker.depth(r.replyQueue));
        }
        for (SimClient c : clients) {
            if (c.pending != null) {
                why.append("\n  ").append(c.name).append(" waits for ").append(c.pending.describe());
            }
        }
        throw new AssertionError(why.toString());
    }

    private boolean settled() {
        if (!cluster.replicasConverged() || cluster.broker.depth(COMMANDS) > 0 || cluster.broker.depth(QUERIES) > 0
                || cluster.broker.depth(ROUTES) > 0) {
            return false;
        }
        for (SimRouter r : routers) {
            if (r.core.inFlight() > 0 || cluster.broker.depth(r.replyQueue) > 0 || !r.unconfirmed.isEmpty()) {
                return false;
            }
        }
        return clients.stream().allMatch(c -> c.pending == null);
    }

    // ---- the wire --------------------------------------------------------------------------------

    /** Where a replica's answer goes: the reply queue of the router that forwarded (gone if it crashed). */
    private void toRouter(SimReplica from, Ready.OutboundReply out) {
        Reply reply = out.reply();
        if (!reply.ok() && reply.errorCode() == ErrorCode.STALE) {
            tally(reply.command().isWrite() ? "replica refused a write STALE" : "replica refused a query STALE");
            if (reply.command().isWrite() && !cluster.healing && random.nextInt(100) < config.wipeAfterRefusalPercent) {
                wipeSoon.add(from.id);
            }
        }
        SimClient direct = out.batched() ? pendingOwner(out.batchedCommandId()) : clientOrNull(out.address().replyTo());
        if (out.batched() && direct == null) {
            tally("batched answer for a command no client waits for");
            return;
        }
        if (direct != null) {
            // the direct write path: the replica answers the client's reply-to itself
            if (!cluster.healing && random.nextInt(100) < config.answerLossPercent) {
                tally("direct answer lost on its way to the client");
                return;
            }
            direct.inbox.addLast(new Answer(out.batched() ? out.batchedCommandId() : out.address().correlationId(), reply));
            return; // the client takes it at its next step (its consumer and the replica run apart)
        }
        if (!cluster.broker.publishIfExists(out.address().replyTo(), new ReplicaAnswer(out.address().correlationId(), reply))) {
            tally("replica answer to a router gone");
        }
    }

    private byte[] encode(Reply reply) {
        wire.add(reply);
        return Integer.toString(wire.size() - 1).getBytes(StandardCharsets.UTF_8);
    }

    private Reply decode(byte[] body) {
        return wire.get(Integer.parseInt(new String(body, StandardCharsets.UTF_8)));
    }

    // ---- routers -------------------------------------------------------------------------------

    /** One router copy: the production core and the shell's side of the broker. */
    private final class SimRouter {
        /** A delivery the core names by an {@link InboundRef}: its queue and the broker's tag and epoch. */
        private record Held(String queue, long tag, long epoch) {
        }

        final String name;
        RouterCore core;
        boolean up;
        int incarnation;
        String replyQueue;
        /** Counts channel replacements; the core's refs carry it, acks of an older one are void. */
        long channelEpoch;
        /** The epoch the core was last told about (a change means: reset). */
        long coreEpoch;
        long nextTag;
        final Map<Long, Held> unacked = new HashMap<>();
        /** Message id to the replica this core forwarded it to last: to count the forwards that move on. */
        final Map<String, String> forwarded = new HashMap<>();
        /** Readies published and not confirmed yet, oldest first: the shell does not wait for confirms. */
        final Deque<RouterReady> unconfirmed = new ArrayDeque<>();

        SimRouter(String name) {
            this.name = name;
        }

        void start() {
            core = RouterVariants.core(cluster.ids, new RouterLimits(config.routerMaxInFlight, ROUTER_BATCH,
                    QUERY_TIMEOUT_MILLIS), config.writeOrder, random.nextLong());
            forwarded.clear();
            unconfirmed.clear();
            core.tick(cluster.now);
            up = true;
            newChannel();
            coreEpoch = channelEpoch;
        }

        /** A new channel and, as topology recovery re-declares it under a new name, a new reply queue. */
        private void newChannel() {
            incarnation++;
            replyQueue = name + ".replies-" + incarnation;
            cluster.broker.queue(replyQueue);
            channelEpoch++;
            unacked.clear();
        }

        private void dropChannel() {
            cluster.broker.recover(COMMANDS, name);
            cluster.broker.recover(QUERIES, name);
            cluster.broker.recover(ROUTES, name);
            cluster.broker.delete(replyQueue);
            unconfirmed.clear(); // their confirms are lost with the channel: the core resets
        }

        void crash(String point) {
            event(name + ": " + point);
            tally(point);
            dropChannel();
            up = false;
            core = null;
            unacked.clear();
        }

        void recoverChannel() {
            event("channel recovery " + name);
            tally("router channel recovery");
            dropChannel();
            newChannel(); // the core hears of it at its next round, as RouterLoop does
        }

        void round() {
            if (coreEpoch != channelEpoch) {
                coreEpoch = channelEpoch;
                core.reset();
            }
            core.tick(cluster.now);
            List<InboundRef> replies = new ArrayList<>();
            int budget = 1 + random.nextInt(ROUTER_BATCH);
            for (SimBroker.Delivery d : cluster.broker.deliver(replyQueue, name, budget, ROUTER_PREFETCH)) {
                InboundRef ref = received(replyQueue, d);
                ReplicaAnswer answer = (ReplicaAnswer) d.message().body();
                core.onReplicaReply(answer.forwardId(), answer.reply(), encode(answer.reply()));
                replies.add(ref);
                budget--;
            }
            for (SimBroker.Delivery d : cluster.broker.deliver(ROUTES, name, ROUTER_PREFETCH, ROUTER_PREFETCH)) {
                // transient and answered at once: acked as soon as the answer is out, lost with a crash
                ClientMessage request = (ClientMessage) d.message().body();
                RouteAnswer answer = core.onRouteRequest(request);
                cluster.broker.ack(ROUTES, name, d.epoch(), d.tag());
                if (!cluster.healing && random.nextInt(100) < config.answerLossPercent) {
                    tally("route answer lost on its way to the client");
                } else {
                    client(request.replyTo()).inbox.addLast(new RouteReply(request.messageId(), answer));
                }
            }
            for (String queue : random.nextBoolean() ? List.of(COMMANDS, QUERIES) : List.of(QUERIES, COMMANDS)) {
                for (SimBroker.Delivery d : cluster.broker.deliver(queue, name, Math.max(0, budget), ROUTER_PREFETCH)) {
                    core.onClientMessage(received(queue, d), (ClientMessage) d.message().body());
                    budget--;
                }
            }
            // Confirms come asynchronously: some prefix of what was published is confirmed by now
            // (everything once the faults stopped), and each confirmed Ready is advanced in order.
            int confirmed = cluster.healing ? unconfirmed.size() : random.nextInt(unconfirmed.size() + 1);
            int readies = 0;
            for (int i = 0; i <= confirmed; i++) {
                if (i > 0) {
                    if (!unconfirmed.isEmpty() && !unconfirmed.peekFirst().forwards().isEmpty()
                            && crashHere("router crash after forwarding, before acking")) {
                        return;
                    }
                    core.advance(unconfirmed.removeFirst());
                }
                if (core.hasReady()) {
                    if (++readies > 2 + confirmed) {
                        throw new AssertionError(name + ": the core still has work after " + readies + " Readies in one round");
                    }
                    RouterReady ready = core.ready();
                    if (!carryOut(ready)) {
                        return;
                    }
                    unconfirmed.addLast(ready);
                    if (i == confirmed && cluster.healing) {
                        confirmed++; // while healing, its confirm comes in this round too
                    }
                }
            }
            replies.forEach(this::ack);
        }

        private InboundRef received(String queue, SimBroker.Delivery d) {
            long tag = ++nextTag;
            unacked.put(tag, new Held(queue, d.tag(), d.epoch()));
            return new InboundRef(channelEpoch, tag);
        }

        /** Publish and ack what the Ready says, without waiting for confirms: false when the router crashed or reset on the way. */
        private boolean carryOut(RouterReady ready) {
            cluster.lastEvent = name + " carries out a Ready";
            if (crashHere("router crash before publishing")) {
                return false;
            }
            if (!cluster.healing && random.nextInt(100) < 2) {
                // a nack, or no confirm in time: some publishes reached the broker; RouterLoop resets the
                // core and hands every unacked delivery back
                ready.forwards().forEach(f -> {
                    if (random.nextBoolean()) {
                        forward(f);
                    }
                });
                ready.relays().forEach(r -> {
                    if (random.nextBoolean()) {
                        relay(r);
                    }
                });
                core.reset();
                unconfirmed.clear();
                requeueAll();
                tally("router publish unconfirmed");
                return false;
            }
            ready.forwards().forEach(this::forward);
            cluster.tally("router dead letters", ready.deadLetters().size());
            ready.relays().forEach(this::relay);
            ready.acks().forEach(this::ack);
            cluster.tally("router Readies outstanding at once", unconfirmed.size() + 1 > 1 ? 1 : 0);
            return true;
        }

        private void forward(RouterReady.Forward f) {
            ClientMessage m = f.message();
            ClientMessage.Decoded envelope = (ClientMessage.Decoded) m.content();
            String before = forwarded.put(m.messageId(), f.replica());
            if (before != null && !before.equals(f.replica())) {
                tally(envelope.command().kind().isWrite() ? "write moved on to another replica"
                        : "query moved on to another replica");
            }
            cluster.broker.publish(cluster.replica(f.replica()).commandsQueue(), new SimCommand(m.messageId(),
                    envelope.command(), envelope.requiredClock(), new ReplyAddress(replyQueue, f.forwardId())));
            if (SimCluster.TRACING) {
                trace(name + " forwards " + m.messageId() + " to " + f.replica() + " as " + f.forwardId());
            }
        }

        private void relay(RouterReady.Relay r) {
            Reply reply = r.reply() != null ? r.reply() : decode(r.body());
            if (!cluster.healing && random.nextInt(100) < config.answerLossPercent) {
                tally("answer lost on its way to the client");
                return;
            }
            SimClient c = client(r.replyTo());
            c.inbox.addLast(new Answer(r.correlationId(), reply));
            clientStep(c, !cluster.healing); // the client waits on its reply consumer, and goes on at once
        }

        private void ack(InboundRef ref) {
            if (ref.channelEpoch() != channelEpoch) {
                return; // a tag of a channel that is gone: the broker delivers the message again
            }
            Held held = unacked.remove(ref.deliveryTag());
            if (held != null && held.epoch() == cluster.broker.epoch(held.queue(), name)) {
                cluster.broker.ack(held.queue(), name, held.epoch(), held.tag());
            }
        }

        private void requeueAll() {
            unacked.values().forEach(h -> cluster.broker.requeue(h.queue(), name, h.epoch(), h.tag()));
            unacked.clear();
        }

        private boolean crashHere(String point) {
            if (!cluster.healing && random.nextInt(1000) < 5 * config.routerCrashPercent) {
                crash(point);
                return true;
            }
            return false;
        }
    }

    // ---- clients -------------------------------------------------------------------------------

    /** A command a client waits for: the one message it sends and re-sends. */
    private final class Pending {
        final ClientMessage message;
        final String queue;
        int attempts;
        long deadline;
        /** Sent {@link Config#maxAttempts} times with no answer: sent again once the faults stop. */
        boolean parked;
        /** The router answered UNAVAILABLE since the last send. */
        boolean unavailable;
        /** A direct write's walk: the route the router gave (null while asked for), and the replica it is at. */
        List<String> route;
        int routeIndex;
        /** The route of the first route answer: every answer gives the same (production) order. */
        List<String> knownRoute;
        boolean awaitingRoute;

        Pending(ClientMessage message, String queue) {
            this.message = message;
            this.queue = queue;
        }

        String commandId() {
            return message.messageId();
        }

        boolean isWrite() {
            return queue.equals(COMMANDS);
        }

        /** The replica a direct write was last sent to, or null. */
        String target() {
            return route == null ? null : route.get(routeIndex);
        }

        String describe() {
            ClientMessage.Decoded e = (ClientMessage.Decoded) message.content();
            return message.messageId() + " " + e.command() + " requiring " + e.requiredClock() + " last " + e.lastReplica()
                    + " (sent " + attempts + " times" + (parked ? ", waiting for the faults to end" : "")
                    + (awaitingRoute ? ", asking for its route" : route != null ? ", at " + target() + " of " + route : "") + ")";
        }
    }

    private final class SimClient {
        final String name;
        final boolean adversary;
        SessionState session = SessionState.empty();
        Pending pending;
        int commands;
        /** Answers and route answers, in arrival order. */
        final Deque<Object> inbox = new ArrayDeque<>();

        SimClient(String name, boolean adversary) {
            this.name = name;
            this.adversary = adversary;
        }
    }

    private SimClient client(String name) {
        SimClient c = clientOrNull(name);
        if (c == null) {
            throw new AssertionError("no client " + name);
        }
        return c;
    }

    /** The client whose command {@code commandId} is pending (a batched answer names the command, not the client). */
    private SimClient pendingOwner(String commandId) {
        for (SimClient c : clients) {
            if (c.pending != null && c.pending.commandId().equals(commandId)) {
                return c;
            }
        }
        return null;
    }

    private SimClient clientOrNull(String name) {
        for (SimClient c : clients) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        return null;
    }

    private void takeAnswers(SimClient c) {
        while (!c.inbox.isEmpty()) {
            Object next = c.inbox.removeFirst();
            if (next instanceof RouteReply route) {
                takeRoute(c, route);
                continue;
            }
            Answer answer = (Answer) next;
            if (c.pending == null || !c.pending.commandId().equals(answer.correlationId())) {
                tally("answer to an earlier command ignored");
            } else if (!isRefusal(answer.reply()) || !c.pending.isWrite() || c.pending.knownRoute == null) {
                settle(c, answer.reply()); // a router relays a write's STALE only once every replica refused
            } else {
                // A direct write's refusal is final only from the route's last replica (reached only after
                // every other refused); from the replica the walk is at, it moves the walk on; any other
                // comes from an earlier walk that has gone further since.
                Pending p = c.pending;
                String from = answer.reply().replica();
                if (from.equals(p.knownRoute.get(p.knownRoute.size() - 1))) {
                    settle(c, answer.reply());
                } else if (from.equals(p.target())) {
                    tally("direct write moved on to the next replica of its route");
                    p.routeIndex++;
                    sendToReplica(c, p);
                } else {
                    tally("STALE of an earlier walk ignored");
                }
            }
        }
    }

    private static boolean isRefusal(Reply reply) {
        return !reply.ok() && reply.errorCode() == ErrorCode.STALE;
    }

    /** The router's route for the write the client waits for: the walk starts at its first replica. */
    private void takeRoute(SimClient c, RouteReply route) {
        Pending p = c.pending;
        if (p == null || !p.commandId().equals(route.commandId()) || !p.awaitingRoute) {
            tally("route answer to an earlier request ignored");
            return;
        }
        if (!route.answer().ok()) {
            throw new AssertionError("a session's or adversary's write was refused a route: " + route.answer());
        }
        p.awaitingRoute = false;
        p.route = route.answer().order();
        if (p.knownRoute == null) {
            p.knownRoute = p.route;
        }
        p.routeIndex = 0;
        sendToReplica(c, p);
    }

    /** Publishes a direct write to the replica its walk is at, with the client as reply-to. */
    private void sendToReplica(SimClient c, Pending p) {
        p.deadline = cluster.now + 80 + random.nextInt(80);
        if (SimCluster.TRACING) {
            trace(c.name + " sends " + p.commandId() + " to " + p.target());
        }
        if (!cluster.healing && random.nextInt(100) < 2) {
            tally("client publish lost");
            return;
        }
        ClientMessage.Decoded envelope = (ClientMessage.Decoded) p.message.content();
        SimCommand command = new SimCommand(p.commandId(), envelope.command(), envelope.requiredClock(),
                new ReplyAddress(c.name, p.commandId()));
        String queue = cluster.replica(p.target()).commandsQueue();
        if (random.nextInt(100) < config.batchPercent) {
            // a client connection batches the writes it sends to one replica: this one joins the batch
            // still waiting in the queue, if any, else starts one
            if (cluster.broker.lastUndelivered(queue) instanceof SimCluster.SimBatch batch
                    && batch.commands().size() < SimCluster.SimBatch.MAX) {
                batch.commands().add(command);
                tally("write joined a batch");
            } else {
                cluster.broker.publish(queue, new SimCluster.SimBatch(new ArrayList<>(List.of(command)),
                        new ReplyAddress(BATCHING_CONNECTION, "batch-" + (++batches))));
                tally("write started a batch");
            }
            return;
        }
        cluster.broker.publish(queue, command);
    }

    private void clientStep(SimClient c, boolean mayStartNew) {
        takeAnswers(c);
        if (c.pending != null) {
            if (!c.pending.parked && cluster.now >= c.pending.deadline) {
                if (mayResend(c.pending)) {
                    tally(c.pending.unavailable ? "client re-send after UNAVAILABLE" : "client re-send after a timeout");
                    send(c);
                }
            }
            return;
        }
        if (mayStartNew) {
            c.pending = c.adversary ? adversaryCommand(c) : sessionCommand(c);
            send(c);
        }
    }

    /** Whether the client sends {@code p} again now, or waits for the end of the faults (then re-sends are unbounded). */
    private boolean mayResend(Pending p) {
        if (cluster.healing || p.attempts < config.maxAttempts) {
            return true;
        }
        p.parked = true;
        tally("client waits for the end of the faults to re-send");
        return false;
    }

    private void send(SimClient c) {
        Pending p = c.pending;
        p.attempts++;
        p.unavailable = false;
        p.deadline = cluster.now + 80 + random.nextInt(80);
        cluster.lastEvent = c.name + " sends " + p.commandId();
        if (SimCluster.TRACING) {
            trace(c.name + " sends " + p.describe());
        }
        p.route = null;
        p.awaitingRoute = false;
        if (!cluster.healing && random.nextInt(100) < 2) {
            tally("client publish lost");
            return;
        }
        if (p.isWrite() && random.nextInt(100) >= config.legacyWritePercent) {
            // the direct path: ask a router for the route, then walk it; every new send walks from the start
            p.awaitingRoute = true;
            tally("write sent the direct way");
            cluster.broker.publish(ROUTES, p.message);
        } else {
            if (p.isWrite()) {
                tally("write sent the legacy way, through the router");
            }
            cluster.broker.publish(p.queue, p.message);
        }
    }

    private Pending sessionCommand(SimClient c) {
        if (random.nextInt(100) < config.forgetPercent) {
            // a session file whose replicas are unknown (edited by hand, or written by an older client): the
            // clocks remain, so the write order starts from the command id and replicas behind refuse
            c.session = withoutReplicas(c.session);
            tally("session file without its replicas");
        }
        String planet = "P" + random.nextInt(config.planets);
        String city = "c" + random.nextInt(3);
        int kind = random.nextInt(20);
        Command command = kind < 5 ? Command.addCity(planet, city, random.nextInt(100))
                : kind < 6 ? Command.updateName(planet, city, "c" + random.nextInt(3))
                : kind < 10 ? Command.updateNumber(planet, city, random.nextInt(100))
                : kind < 11 ? Command.deleteCity(planet, city)
                : Command.getNumberRebelds(planet, city);
        VectorClock required = c.session.requiredClock(planet);
        return message(c, command, required.asMap().isEmpty() ? null : required,
                c.session.lastReplica(planet).orElse(null));
    }

    /** A write whose envelope no session would send: any clock answers carried, any last replica. */
    private Pending adversaryCommand(SimClient c) {
        String planet = "P" + random.nextInt(config.planets);
        String city = "c" + random.nextInt(3);
        Command command = random.nextBoolean() ? Command.addCity(planet, city, random.nextInt(100))
                : Command.updateNumber(planet, city, random.nextInt(100));
        VectorClock required = switch (random.nextInt(5)) {
            case 0 -> null;
            case 1, 2 -> someClockSeen(planet);
            case 3 -> someClockSeen(planet).merge(someClockSeen(planet));
            // one write beyond what any answer carried (a session file edited by hand): every replica
            // refuses it until one of them applies that write
            default -> someClockSeen(planet).increment(cluster.ids.get(random.nextInt(cluster.ids.size())));
        };
        String last = random.nextInt(4) == 0 ? null : cluster.ids.get(random.nextInt(cluster.ids.size()));
        return message(c, command, required, last);
    }

    /** One of the latest clocks answers carried for {@code planet} (the zero clock if none): some replica lags it. */
    private VectorClock someClockSeen(String planet) {
        List<VectorClock> seen = clocksSeen.getOrDefault(planet, List.of());
        return seen.isEmpty() ? VectorClock.empty() : seen.get(Math.max(0, seen.size() - 1 - random.nextInt(4)));
    }

    private Pending message(SimClient c, Command command, VectorClock required, String lastReplica) {
        String id = c.name + "-" + (++c.commands);
        String queue = command.kind().isWrite() ? COMMANDS : QUERIES;
        ClientMessage m = new ClientMessage(id, c.name, id, command.kind().name(), queue, Map.of(),
                id.getBytes(StandardCharsets.UTF_8), new ClientMessage.Decoded(command, required, lastReplica));
        return new Pending(m, queue);
    }

    /** The answer to the command the client waits for. */
    private void settle(SimClient c, Reply reply) {
        Pending p = c.pending;
        if (SimCluster.TRACING) {
            trace(c.name + " got " + p.commandId() + " " + reply);
        }
        if (!reply.ok() && reply.errorCode() == ErrorCode.UNAVAILABLE) {
            // re-sent soon; one re-send for the UNAVAILABLE answers of several earlier sends
            tally("UNAVAILABLE from the router");
            p.deadline = Math.min(p.deadline, cluster.now + 5 + random.nextInt(20));
            p.unavailable = true;
            return;
        }
        c.pending = null;
        if (reply.planet() != null && reply.clock() != null) {
            clocksSeen.computeIfAbsent(reply.planet(), k -> new ArrayList<>()).add(reply.clock());
        }
        if (!reply.ok() && reply.errorCode() == ErrorCode.STALE) {
            tally(p.isWrite() ? "write refused for good (STALE at every replica asked)" : "query answered STALE");
            return;
        }
        if (reply.ok() && p.isWrite()) {
            cluster.truth.acknowledged.put(p.commandId(), reply);
            tally("writes acknowledged");
        }
        if (c.adversary) {
            return;
        }
        boolean accepted = !config.clientCheck || c.session.check(reply).accepted();
        SessionEvent event = SessionEvent.of(c.name, reply);
        if (accepted) {
            history.add(event);
            c.session = config.clientCheck ? c.session.observe(reply) : trust(c.session, reply);
            tally(reply.ok() ? (p.isWrite() ? "session write accepted" : "session read accepted") : "session refusal accepted");
            return;
        }
        tally("answer refused by the client's check");
        if (reply.ok() && p.isWrite()) {
            // the write was applied: it belongs to the session's history though the client refused the answer
            refusedByClient.add(history.size());
            history.add(event);
        }
    }

    private static SessionState withoutReplicas(SessionState session) {
        TreeMap<String, SessionState.Entry> data = new TreeMap<>();
        session.toData().forEach((planet, e) -> data.put(planet, new SessionState.Entry(e.clock(), null)));
        return SessionState.fromData(data);
    }

    /** A client that takes every answer for its session (the variant without the client's check). */
    private static SessionState trust(SessionState session, Reply reply) {
        if (!(reply.ok() || reply.errorCode() == ErrorCode.CITY_NOT_FOUND || reply.errorCode() == ErrorCode.CITY_ALREADY_EXISTS)
                || reply.clock() == null) {
            return session;
        }
        TreeMap<String, SessionState.Entry> data = new TreeMap<>(session.toData());
        SessionState.Entry before = data.get(reply.planet());
        VectorClock merged = before == null ? reply.clock() : VectorClock.of(before.clock()).merge(reply.clock());
        data.put(reply.planet(), new SessionState.Entry(merged.asMap(), reply.replica()));
        return SessionState.fromData(data);
    }
}
