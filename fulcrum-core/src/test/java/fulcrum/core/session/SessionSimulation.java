package fulcrum.core.session;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.MergeStep;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.Reply;
import fulcrum.core.replica.ResendRequest;
import fulcrum.core.replica.Step;
import fulcrum.core.replication.OpLogs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The deterministic replication simulation (one thread, one seeded {@link Random}; replicas whose op
 * deltas, resend requests and announcements are delayed, reordered, duplicated and dropped, and
 * that crash and restart from their durable state) with client sessions on top. Sessions issue
 * random commands and queries; the router orders a query's replicas with {@link SessionRouting} over
 * {@link ReplicaKnowledge} learned from replies and from status messages (which travel, and get
 * lost, like any other message), and a write's with {@link WriteRouting}; a chosen replica answers {@code STALE} unless its planet clock
 * dominates the session's required clock (the worker's check, modelled here), and the client tries
 * the next replica; the client checks every reply with {@link SessionState#check}. Every reply a
 * session accepted (and every write a replica executed for it) is recorded, and
 * {@link SessionChecker} checks the history at the end.
 *
 * <p>Checked on the fly, whatever the variant: a replica the router placed among those known to
 * dominate, or the session's last replica, never lacks the required clock (the routing knowledge is
 * sound); and read-your-writes on contents: a replica serving a session has applied every write the
 * session had accepted on that planet (counted, so that the broken variants can report it).
 *
 * <p>Variants ({@link Config}): the replica-side check and the client-side check can each be
 * switched off, and the routing replaced by a random order, to prove that the checker catches what
 * each layer prevents.
 */
final class SessionSimulation {

    enum Routing {
        /** {@link SessionRouting} over the router's knowledge */
        SESSION,
        /** a random order: many STALE answers and retries */
        RANDOM
    }

    /** What replicas' status messages teach the router. */
    enum StatusContent {
        /** each planet's clock: sound */
        PLANET_CLOCKS,
        /**
         * the applied-sequence vector, taken as a clock for every planet: unsound (counts operations
         * on all planets), kept to show that the simulation catches it
         */
        APPLIED_SEQ_AS_PLANET_CLOCKS
    }

    record Config(int replicas, int sessions, int events, int pendingCapacity, int planets, int cityNames,
                  Routing routing, boolean replicaCheck, boolean clientCheck, StatusContent status) {
        Config(int replicas, int sessions, int events, int pendingCapacity, int planets, int cityNames,
               Routing routing, boolean replicaCheck, boolean clientCheck) {
            this(replicas, sessions, events, pendingCapacity, planets, cityNames, routing, replicaCheck, clientCheck,
                    StatusContent.PLANET_CLOCKS);
        }

        static Config enforced(Routing routing) {
            return new Config(3, 4, 200, 6, 2, 3, routing, true, true);
        }

        Config withChecks(boolean replica, boolean client) {
            return new Config(replicas, sessions, events, pendingCapacity, planets, cityNames, routing, replica, client,
                    status);
        }

        Config withStatus(StatusContent newStatus) {
            return new Config(replicas, sessions, events, pendingCapacity, planets, cityNames, routing, replicaCheck,
                    clientCheck, newStatus);
        }
    }

    record Result(List<SessionEvent> history, List<SessionChecker.Violation> violations,
                  Set<Integer> refusedByClientCheck, long contentViolations, Map<String, Long> tallies) {
    }

    private sealed interface Message permits Ops, Resend, Announce, Status {
    }

    private record Ops(String to, List<Operation> ops) implements Message {
    }

    private record Resend(String to, String from, ResendRequest request) implements Message {
    }

    private record Announce(String to, SortedMap<String, Long> vector) implements Message {
    }

    /** A replica's planet clocks, on their way to the router. */
    private record Status(String from, Map<String, VectorClock> clocks) implements Message {
    }

    private final class Node {
        final String id;
        Replica replica;
        boolean up = true;
        long publishedUpTo;
        final List<Operation> log = new ArrayList<>();
        final TreeMap<String, Planet> planets = new TreeMap<>();
        final TreeMap<String, Long> applied = new TreeMap<>();

        Node(String id) {
            this.id = id;
            this.replica = new Replica(id, ids, Map.of(), Map.of(), config.pendingCapacity());
        }

        void restart() {
            replica = new Replica(id, ids, planets, applied, config.pendingCapacity());
            publishedUpTo = 0;
            up = true;
        }
    }

    private final class Client {
        final String id;
        SessionState session = SessionState.empty();
        /** per planet, per origin: highest originSeq of a write this session had accepted */
        final Map<String, Map<String, Long>> ownWrites = new HashMap<>();
        int commands;

        Client(String id) {
            this.id = id;
        }
    }

    private final long seed;
    private final Config config;
    private final Random random;
    private final List<String> ids = new ArrayList<>();
    private final LinkedHashMap<String, Node> nodes = new LinkedHashMap<>();
    private final List<Client> clients = new ArrayList<>();
    private final List<Message> inFlight = new ArrayList<>();
    private final SessionRouting routing;
    private final WriteRouting writeRouting;
    private ReplicaKnowledge knowledge = new ReplicaKnowledge();
    private final List<SessionEvent> history = new ArrayList<>();
    private final Set<Integer> refusedByClientCheck = new HashSet<>();
    private final TreeMap<String, Long> tallies = new TreeMap<>();
    private final Map<String, Integer> contentViolationsAt = new HashMap<>();
    private long contentViolations;
    private int eventNo;
    private String lastEvent = "start";

    private SessionSimulation(long seed, Config config) {
        this.seed = seed;
        this.config = config;
        this.random = new Random(seed);
        for (int i = 0; i < config.replicas(); i++) {
            ids.add(String.valueOf((char) ('A' + i)));
        }
        for (String id : ids) {
            nodes.put(id, new Node(id));
        }
        for (int i = 0; i < config.sessions(); i++) {
            clients.add(new Client("s" + i));
        }
        routing = new SessionRouting(ids, new Random(random.nextLong()));
        writeRouting = new WriteRouting(ids);
    }

    static Result run(long seed, Config config) {
        SessionSimulation sim = new SessionSimulation(seed, config);
        try {
            return sim.runAll();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("session simulation failed: seed=" + seed + " (replay with SessionSimulation.run("
                    + seed + "L, " + config + ")), event #" + sim.eventNo + " " + sim.lastEvent + ": " + e.getMessage(), e);
        }
    }

    private Result runAll() {
        for (eventNo = 0; eventNo < config.events(); eventNo++) {
            step();
        }
        lastEvent = "history check";
        List<SessionChecker.Violation> violations = SessionChecker.check(history);
        Set<Integer> flagged = new HashSet<>();
        violations.forEach(v -> flagged.add(v.index()));
        // the client's check never refuses a reply that the checker finds fine
        for (int index : refusedByClientCheck) {
            if (!flagged.contains(index)) {
                throw new AssertionError("the client refused event #" + index + " " + history.get(index)
                        + " but the checker finds no violation there");
            }
        }
        // a write missing from a serving replica is a read-your-writes or monotonic-writes violation
        contentViolationsAt.forEach((at, index) -> {
            if (!flagged.contains(index)) {
                throw new AssertionError("event #" + index + " served without the session's write (" + at
                        + ") but the checker finds no violation there");
            }
        });
        return new Result(List.copyOf(history), violations, Set.copyOf(refusedByClientCheck), contentViolations,
                tallies);
    }

    private void tally(String what) {
        tallies.merge(what, 1L, Long::sum);
    }

    // ------------------------------------------------------------------------------ events ----

    private void step() {
        int dice = random.nextInt(100);
        Node node = nodes.get(ids.get(random.nextInt(ids.size())));
        if (dice < 40) {
            clientOperation(clients.get(random.nextInt(clients.size())));
        } else if (dice < 50) {
            if (node.up) {
                publish(node);
            }
        } else if (dice < 78) {
            deliverSomething();
        } else if (dice < 88) {
            if (node.up) {
                announce(node);
            }
        } else if (dice < 91) {
            if (node.up) {
                lastEvent = "crash " + node.id;
                node.up = false;
                node.replica = null;
                tally("replica crash");
            }
        } else if (dice < 99) {
            if (!node.up) {
                lastEvent = "restart " + node.id;
                node.restart();
            }
        } else {
            lastEvent = "router restart (knowledge lost)";
            knowledge = new ReplicaKnowledge();
            tally("router restart");
        }
    }

    private Command randomCommand(String planet) {
        String city = "c" + random.nextInt(config.cityNames());
        int kind = random.nextInt(20);
        return kind < 4 ? Command.addCity(planet, city, random.nextInt(100))
                : kind < 6 ? Command.updateName(planet, city, "c" + random.nextInt(config.cityNames()))
                : kind < 10 ? Command.updateNumber(planet, city, random.nextInt(100))
                : kind < 11 ? Command.deleteCity(planet, city)
                : Command.getNumberRebelds(planet, city);
    }

    private void clientOperation(Client client) {
        String planet = "P" + random.nextInt(config.planets());
        Command command = randomCommand(planet);
        String commandId = client.id + "-" + client.commands++;
        VectorClock required = client.session.requiredClock(planet);
        String last = client.session.lastReplica(planet).orElse(null);
        lastEvent = client.id + " " + command + " requiring " + required + " (last " + last + ")";
        List<String> order;
        Set<String> claimedDominating = new HashSet<>();
        if (config.routing() == Routing.SESSION && command.kind().isWrite()) {
            order = writeRouting.order(commandId, last); // as the router does: see WriteRouting
        } else if (config.routing() == Routing.SESSION) {
            SessionRouting.Route route = routing.route(planet, required, last, knowledge);
            order = route.order();
            claimedDominating.addAll(route.dominating());
        } else {
            order = new ArrayList<>(ids);
            Collections.shuffle(order, random);
        }
        if (last != null) {
            claimedDominating.add(last);
        }
        boolean first = true;
        for (String r : order) {
            Node node = nodes.get(r);
            if (!node.up) {
                tally("tried a replica that is down");
                first = false;
                continue;
            }
            VectorClock have = node.replica.clockOf(planet);
            boolean dominates = have.dominates(required);
            if (claimedDominating.contains(r) && !dominates) {
                throw new AssertionError("replica " + r + " was known to dominate " + required + " on " + planet
                        + " (or served the session last) but has " + have + ": routing knowledge unsound");
            }
            if (config.replicaCheck() && !dominates) {
                Reply stale = Reply.failure(command.kind(), planet, command.city(), r, have, ErrorCode.STALE,
                        "replica " + r + " has " + have.asMap() + " of " + planet + ", behind the required "
                                + required.asMap());
                knowledge.learn(stale);
                tally("STALE answers");
                if (first) {
                    tally("STALE answers from the first choice");
                }
                first = false;
                continue;
            }
            if (!dominates) {
                tally("served while behind (replica check off)");
            }
            Step step = node.replica.execute(commandId, command);
            if (step.changedState()) {
                Operation op = step.operation();
                node.log.add(op);
                node.planets.put(op.planet(), step.planetAfter());
                node.applied.put(node.id, op.originSeq());
            }
            Reply reply = step.reply();
            knowledge.learn(reply);
            Verdict verdict = client.session.check(reply);
            boolean accepted = !config.clientCheck() || verdict.accepted();
            if (accepted || step.changedState()) {
                // a write the replica executed is part of the session's history even if the client
                // refuses its answer: it happened
                int index = history.size();
                history.add(SessionEvent.of(client.id, reply));
                if (!verdict.accepted()) {
                    refusedByClientCheck.add(index);
                }
                checkContents(client, node, planet, index);
            }
            if (!accepted) {
                tally("refused by the client check");
                if (step.changedState()) {
                    tally("write executed but refused by the client check");
                    return; // retrying would apply it twice; the client reports STALE
                }
                first = false;
                continue;
            }
            client.session = client.session.observe(reply);
            if (reply.ok() && step.changedState()) {
                client.ownWrites.computeIfAbsent(planet, p -> new HashMap<>())
                        .merge(step.operation().origin(), step.operation().originSeq(), Math::max);
            }
            tally(reply.ok() ? (command.kind().isWrite() ? "accepted writes" : "accepted reads")
                    : "accepted refusals (" + reply.errorCode() + ")");
            tally(first ? "served by the first choice" : "served after a retry");
            if (!r.equals(last)) {
                tally("served by another replica than the last one");
            }
            return;
        }
        tally("UNAVAILABLE (no replica could serve)");
        history.add(new SessionEvent(client.id, command.kind(), planet, null, null, false, ErrorCode.UNAVAILABLE));
    }

    /** Read-your-writes on contents: the serving replica holds every write the session accepted there. */
    private void checkContents(Client client, Node node, String planet, int index) {
        Map<String, Long> own = client.ownWrites.getOrDefault(planet, Map.of());
        for (Map.Entry<String, Long> e : own.entrySet()) {
            if (node.replica.appliedSeq(e.getKey()) < e.getValue()) {
                contentViolations++;
                contentViolationsAt.put(client.id + " " + e.getKey() + "#" + e.getValue() + " missing at " + node.id, index);
                return;
            }
        }
    }

    private void publish(Node node) {
        List<Operation> delta = OpLogs.operationsToPublish(node.log, node.id, node.publishedUpTo + 1, Integer.MAX_VALUE);
        if (delta.isEmpty()) {
            return;
        }
        lastEvent = "publish " + node.id;
        node.publishedUpTo = delta.get(delta.size() - 1).originSeq();
        for (String to : ids) {
            if (!to.equals(node.id)) {
                inFlight.add(new Ops(to, delta));
            }
        }
    }

    private void announce(Node node) {
        lastEvent = "announce " + node.id;
        for (String to : ids) {
            if (!to.equals(node.id)) {
                inFlight.add(new Announce(to, new TreeMap<>(node.replica.appliedSeq())));
            }
        }
        TreeMap<String, VectorClock> clocks = new TreeMap<>();
        if (config.status() == StatusContent.PLANET_CLOCKS) {
            node.replica.planets().forEach((name, p) -> clocks.put(name, p.clock()));
        } else {
            for (int k = 0; k < config.planets(); k++) {
                clocks.put("P" + k, VectorClock.of(node.replica.appliedSeq()));
            }
        }
        inFlight.add(new Status(node.id, clocks));
    }

    private void deliverSomething() {
        if (inFlight.isEmpty()) {
            return;
        }
        int index = random.nextInt(inFlight.size());
        Message message = inFlight.get(index);
        Node to = message instanceof Status ? null : nodes.get(destination(message));
        if (to != null && !to.up) {
            return; // durable queue: it waits for the consumer
        }
        int fate = random.nextInt(100);
        if (fate < 10) {
            lastEvent = "drop " + message;
            tally("message dropped");
            inFlight.remove(index);
            return;
        }
        if (fate >= 20) {
            inFlight.remove(index);
        } else {
            tally("message duplicated");
        }
        lastEvent = "deliver " + message;
        if (message instanceof Status status) {
            knowledge.learnStatus(status.from(), status.clocks());
            tally("status delivered to the router");
        } else if (message instanceof Ops ops) {
            MergeStep step = to.replica.applyRemote(ops.ops());
            to.planets.putAll(step.planetsToPersist());
            to.applied.putAll(step.appliedSeqToPersist());
            for (ResendRequest r : step.resendRequests()) {
                inFlight.add(new Resend(r.origin(), to.id, r));
            }
        } else if (message instanceof Resend resend) {
            List<Operation> answer = OpLogs.answer(resend.request(), to.log, 1 + random.nextInt(8));
            if (!answer.isEmpty()) {
                inFlight.add(new Ops(resend.from(), answer));
            }
        } else if (message instanceof Announce announce) {
            for (ResendRequest r : to.replica.resendRequestsFor(announce.vector())) {
                inFlight.add(new Resend(r.origin(), to.id, r));
            }
        }
    }

    private static String destination(Message message) {
        if (message instanceof Ops o) {
            return o.to();
        }
        if (message instanceof Resend r) {
            return r.to();
        }
        return ((Announce) message).to();
    }
}
