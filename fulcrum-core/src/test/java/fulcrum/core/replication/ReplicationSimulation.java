package fulcrum.core.replication;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.replica.City;
import fulcrum.core.replica.MergeStep;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Replica;
import fulcrum.core.replica.ResendRequest;
import fulcrum.core.replica.Stamp;
import fulcrum.core.replica.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A deterministic simulation of N replicas in one thread, in the style of Kafka's
 * RaftEventSimulationTest: one seeded {@link Random} drives client commands at random replicas, a
 * message router that delays, reorders, duplicates and drops op deltas, resend requests and
 * announcements, and crashes (with and without losing the step in progress) and restarts. The
 * durable state of a replica is modelled exactly as the worker keeps it: the planets and applied
 * sequences returned by {@link Step} / {@link MergeStep}, and its own op log. Invariants are checked
 * after every event; {@link #run} ends with a reliable full exchange and checks convergence and that
 * every acknowledged write is reflected or explained by a documented conflict outcome.
 */
final class ReplicationSimulation {

    /** How an acknowledged write ended up in the converged state. */
    enum Outcome {
        /** its value (or its city, or its delete) is what the state holds */
        REFLECTED,
        /** a later write that had seen it replaced it (normal overwrite, not a conflict) */
        SUPERSEDED,
        /** a concurrent write with a higher stamp won (LWW conflict) */
        LOST_TO_CONCURRENT,
        /** its city was deleted (delete wins over concurrent and later updates) */
        CITY_DELETED,
        /** AddCity or rename made a second live city of one name; the older one is shown */
        HIDDEN_BY_NAME_COLLISION
    }

    record Config(int replicas, int events, int pendingCapacity, int planets, int cityNames) {
        static Config standard() {
            return new Config(3, 160, 6, 2, 3);
        }
    }

    private sealed interface Message permits Ops, Resend, Announce {
        String to();
    }

    private record Ops(String to, List<Operation> ops) implements Message {
    }

    private record Resend(String to, String from, ResendRequest request) implements Message {
    }

    private record Announce(String to, SortedMap<String, Long> vector) implements Message {
    }

    private final class Node {
        final String id;
        Replica replica;
        boolean up = true;
        long publishedUpTo;
        // durable state
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

    private final long seed;
    private final Config config;
    private final Random random;
    private final List<String> ids = new ArrayList<>();
    private final LinkedHashMap<String, Node> nodes = new LinkedHashMap<>();
    private final List<Message> inFlight = new ArrayList<>();
    /** Every acknowledged (persisted) operation, per origin, by originSeq - 1. */
    private final Map<String, List<Operation>> history = new HashMap<>();
    private final EnumMap<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    private int eventNo;
    private String lastEvent = "start";
    private long acknowledgedWrites;
    private long conflictsCounted;

    ReplicationSimulation(long seed, Config config) {
        this.seed = seed;
        this.config = config;
        this.random = new Random(seed);
        for (int i = 0; i < config.replicas(); i++) {
            String id = String.valueOf((char) ('A' + i));
            ids.add(id);
        }
        for (String id : ids) {
            nodes.put(id, new Node(id));
            history.put(id, new ArrayList<>());
        }
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, 0);
        }
    }

    record Result(long acknowledgedWrites, Map<Outcome, Integer> outcomes, long conflictsCounted, String dump,
                  Map<String, Long> events) {
    }

    /** Counts of what the schedule did (drops, duplicates, crashes, resends, …), to show coverage. */
    private final TreeMap<String, Long> events = new TreeMap<>();

    private void tally(String what) {
        events.merge(what, 1L, Long::sum);
    }

    static Result run(long seed, Config config) {
        ReplicationSimulation sim = new ReplicationSimulation(seed, config);
        try {
            return sim.runAll();
        } catch (AssertionError | RuntimeException e) {
            AssertionError wrapped = new AssertionError("simulation failed: seed=" + seed + " (replay with "
                    + "ReplicationSimulation.run(" + seed + "L, ...)), event #" + sim.eventNo + " "
                    + sim.lastEvent + ": " + e.getMessage(), e);
            throw wrapped;
        }
    }

    private Result runAll() {
        for (eventNo = 0; eventNo < config.events(); eventNo++) {
            step();
            checkInvariants();
        }
        finalExchange();
        checkConvergence();
        return new Result(acknowledgedWrites, outcomes, conflictsCounted, CanonicalDump.of(nodes.get(ids.get(0)).replica),
                events);
    }

    // ------------------------------------------------------------------------------ events ----

    private void step() {
        int dice = random.nextInt(100);
        Node node = nodes.get(ids.get(random.nextInt(ids.size())));
        if (dice < 35) {
            if (node.up) {
                clientCommand(node);
            }
        } else if (dice < 45) {
            if (node.up) {
                publish(node);
            }
        } else if (dice < 80) {
            deliverSomething();
        } else if (dice < 88) {
            if (node.up) {
                announce(node);
            }
        } else if (dice < 92) {
            if (node.up) {
                lastEvent = "crash " + node.id;
                node.up = false;
                node.replica = null;
                tally("crash");
            }
        } else {
            if (!node.up) {
                lastEvent = "restart " + node.id;
                node.restart();
            }
        }
    }

    private void clientCommand(Node node) {
        String planet = "P" + random.nextInt(config.planets());
        String city = cityName();
        int kind = random.nextInt(20);
        Command command = kind < 6 ? Command.addCity(planet, city, random.nextInt(100))
                : kind < 10 ? Command.updateName(planet, city, cityName())
                : kind < 17 ? Command.updateNumber(planet, city, random.nextInt(100))
                : Command.deleteCity(planet, city);
        lastEvent = "execute " + command + " at " + node.id;
        Step step = node.replica.execute("cmd-" + eventNo, command);
        if (!step.changedState()) {
            return;
        }
        if (random.nextInt(100) < 3) {
            // crash after the state machine ran but before the synced write: nothing acknowledged
            lastEvent += " (crash before persisting)";
            tally("crash before persisting a write");
            node.restart();
            return;
        }
        Operation op = step.operation();
        node.log.add(op);
        node.planets.put(op.planet(), step.planetAfter());
        node.applied.put(node.id, op.originSeq());
        List<Operation> own = history.get(node.id);
        if (op.originSeq() != own.size() + 1) {
            throw new AssertionError("own op " + op + " does not follow " + own.size());
        }
        own.add(op);
        acknowledgedWrites++;
        if (!step.reply().ok() || !step.reply().clock().equals(step.planetAfter().clock())) {
            throw new AssertionError("write reply does not carry the planet clock: " + step.reply());
        }
    }

    private String cityName() {
        return "c" + random.nextInt(config.cityNames());
    }

    private void publish(Node node) {
        List<Operation> delta = OpLogs.operationsToPublish(node.log, node.id, node.publishedUpTo + 1, Integer.MAX_VALUE);
        if (delta.isEmpty()) {
            return;
        }
        lastEvent = "publish " + node.id + " #" + delta.get(0).originSeq() + ".." + delta.get(delta.size() - 1).originSeq();
        node.publishedUpTo = delta.get(delta.size() - 1).originSeq();
        for (String to : ids) {
            if (!to.equals(node.id)) {
                inFlight.add(new Ops(to, delta));
            }
        }
    }

    private void announce(Node node) {
        lastEvent = "announce " + node.id + " " + node.replica.appliedSeq();
        for (String to : ids) {
            if (!to.equals(node.id)) {
                inFlight.add(new Announce(to, new TreeMap<>(node.replica.appliedSeq())));
            }
        }
    }

    private void deliverSomething() {
        if (inFlight.isEmpty()) {
            return;
        }
        int index = random.nextInt(inFlight.size());
        Message message = inFlight.get(index);
        Node to = nodes.get(message.to());
        if (!to.up) {
            return; // durable queue: it waits for the consumer
        }
        int fate = random.nextInt(100);
        if (fate < 10) {
            lastEvent = "drop " + describe(message);
            tally("message dropped");
            inFlight.remove(index);
            return;
        }
        if (fate >= 20) {
            inFlight.remove(index); // else: delivered and also kept, i.e. duplicated
        } else {
            tally("message duplicated");
        }
        deliver(to, message, true);
    }

    private void deliver(Node to, Message message, boolean mayCrash) {
        lastEvent = "deliver " + describe(message);
        if (message instanceof Ops ops) {
            {
                MergeStep step = to.replica.applyRemote(ops.ops());
                checkMergeStep(to, step);
                if (mayCrash && step.changedState() && random.nextInt(100) < 3) {
                    lastEvent += " (crash before persisting; redelivered later)";
                    tally("crash before persisting a merge");
                    to.restart();
                    inFlight.add(message);
                    return;
                }
                to.planets.putAll(step.planetsToPersist());
                to.applied.putAll(step.appliedSeqToPersist());
                events.merge("ops applied", (long) step.applied().size(), Long::sum);
                events.merge("ops duplicate", (long) step.duplicates(), Long::sum);
                events.merge("ops buffered", (long) step.buffered(), Long::sum);
                events.merge("ops dropped by full buffer", (long) step.dropped(), Long::sum);
                events.merge("resend requests after merge", (long) step.resendRequests().size(), Long::sum);
                for (ResendRequest r : step.resendRequests()) {
                    inFlight.add(new Resend(r.origin(), to.id, r));
                }
            }
        } else if (message instanceof Resend resend) {
            {
                List<Operation> answer = OpLogs.answer(resend.request(), to.log, 1 + random.nextInt(8));
                if (!answer.isEmpty()) {
                    inFlight.add(new Ops(resend.from(), answer));
                }
            }
        } else if (message instanceof Announce announce) {
            {
                for (ResendRequest r : to.replica.resendRequestsFor(announce.vector())) {
                    tally("resend requests after announcement");
                    inFlight.add(new Resend(r.origin(), to.id, r));
                }
            }
        }
    }

    private static String describe(Message message) {
        if (message instanceof Ops ops) {
            return "ops to " + ops.to() + " " + ops.ops().stream().map(o -> o.origin() + "#" + o.originSeq()).toList();
        }
        if (message instanceof Resend r) {
            return "resend " + r.request() + " from " + r.from() + " to " + r.to();
        }
        Announce a = (Announce) message;
        return "announce " + a.vector() + " to " + a.to();
    }

    // -------------------------------------------------------------------------- invariants ----

    private final Map<String, Map<String, Long>> lastDurableApplied = new HashMap<>();
    private final Map<String, Map<String, VectorClock>> lastDurableClocks = new HashMap<>();

    private void checkMergeStep(Node node, MergeStep step) {
        Map<String, Long> seen = new HashMap<>(node.applied);
        for (Operation op : step.applied()) {
            long expected = seen.getOrDefault(op.origin(), 0L) + 1;
            if (op.originSeq() != expected) {
                throw new AssertionError(node.id + " applied " + op.origin() + "#" + op.originSeq()
                        + " but expected #" + expected);
            }
            seen.put(op.origin(), op.originSeq());
            Operation acked = history.get(op.origin()).get((int) op.originSeq() - 1);
            if (!acked.equals(op)) {
                throw new AssertionError("applied an operation that was never acknowledged: " + op);
            }
        }
    }

    private void checkInvariants() {
        for (Node node : nodes.values()) {
            Map<String, Long> lastApplied = lastDurableApplied.computeIfAbsent(node.id, k -> new HashMap<>());
            for (Map.Entry<String, Long> e : lastApplied.entrySet()) {
                if (node.applied.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                    throw new AssertionError(node.id + ": appliedSeq(" + e.getKey() + ") decreased");
                }
            }
            lastApplied.putAll(node.applied);
            Map<String, VectorClock> lastClocks = lastDurableClocks.computeIfAbsent(node.id, k -> new HashMap<>());
            for (Planet p : node.planets.values()) {
                VectorClock before = lastClocks.get(p.name());
                if (before != null && !p.clock().dominates(before)) {
                    throw new AssertionError(node.id + ": clock of " + p.name() + " went from " + before + " to " + p.clock());
                }
                lastClocks.put(p.name(), p.clock());
                checkClockCountsAppliedOps(node, p);
            }
            if (node.up) {
                // the returned steps are the whole effect: memory equals what was persisted
                if (!node.replica.planets().equals(node.planets) || !node.replica.appliedSeq().equals(node.applied)) {
                    throw new AssertionError(node.id + ": in-memory state differs from the persisted steps");
                }
            }
        }
    }

    /**
     * The planet clock counts, per origin, exactly the operations on that planet applied here
     * (causal delivery), hence dominates the clock of every one of them.
     */
    private void checkClockCountsAppliedOps(Node node, Planet planet) {
        for (String origin : ids) {
            long appliedOfOrigin = node.applied.getOrDefault(origin, 0L);
            long count = 0;
            List<Operation> ops = history.get(origin);
            for (int i = 0; i < appliedOfOrigin; i++) {
                Operation op = ops.get(i);
                if (op.planet().equals(planet.name())) {
                    count++;
                    if (!planet.clock().dominates(op.clock())) {
                        throw new AssertionError(node.id + ": clock " + planet.clock() + " of " + planet.name()
                                + " does not dominate applied op " + op);
                    }
                }
            }
            if (planet.clock().get(origin) != count) {
                throw new AssertionError(node.id + ": clock " + planet.clock() + " of " + planet.name() + " claims "
                        + planet.clock().get(origin) + " ops of " + origin + " but " + count + " are applied");
            }
        }
    }

    // ------------------------------------------------------------------- final exchange ----

    private void finalExchange() {
        lastEvent = "final exchange";
        for (Node node : nodes.values()) {
            if (!node.up) {
                node.restart();
            }
        }
        // the network is reliable now: deliver everything in flight, announce, repeat until quiet
        for (int round = 0; round < 100; round++) {
            while (!inFlight.isEmpty()) {
                Message m = inFlight.remove(0);
                deliver(nodes.get(m.to()), m, false);
                checkInvariants();
            }
            boolean done = true;
            for (Node node : nodes.values()) {
                for (String origin : ids) {
                    if (node.replica.appliedSeq(origin) != history.get(origin).size()) {
                        done = false;
                    }
                }
                if (node.replica.pendingCount() != 0) {
                    done = false;
                }
            }
            if (done) {
                return;
            }
            for (Node node : nodes.values()) {
                announce(node);
            }
        }
        throw new AssertionError("no convergence after 100 rounds of reliable exchange");
    }

    private void checkConvergence() {
        lastEvent = "convergence check";
        Node first = nodes.get(ids.get(0));
        String dump = CanonicalDump.of(first.replica);
        for (Node node : nodes.values()) {
            String other = CanonicalDump.of(node.replica);
            if (!dump.equals(other)) {
                throw new AssertionError("dumps differ:\n" + first.id + ":\n" + dump + "\n" + node.id + ":\n" + other);
            }
            if (!node.replica.planets().equals(first.replica.planets())) {
                throw new AssertionError("planets differ between " + first.id + " and " + node.id);
            }
            for (Planet p : node.replica.planets().values()) {
                if (!p.clock().equals(first.replica.planets().get(p.name()).clock())) {
                    throw new AssertionError("clocks differ");
                }
            }
            conflictsCounted += node.replica.conflicts().values().stream().mapToLong(Long::longValue).sum();
        }
        // the converged state is the order-independent fold of every acknowledged operation
        List<Operation> all = new ArrayList<>();
        history.values().forEach(all::addAll);
        Collections.shuffle(all, random);
        TreeMap<String, Planet> folded = new TreeMap<>();
        for (Operation op : all) {
            folded.put(op.planet(), folded.getOrDefault(op.planet(), Planet.empty(op.planet(), VectorClock.zero(ids))).apply(op));
        }
        if (!folded.equals(new TreeMap<>(first.replica.planets()))) {
            throw new AssertionError("converged state differs from the fold of all acknowledged operations");
        }
        for (Operation op : all) {
            Outcome outcome = explain(first.replica.planets().get(op.planet()), op, all);
            outcomes.merge(outcome, 1, Integer::sum);
        }
    }

    /** Classifies an acknowledged write against the converged state; fails if it is unexplained. */
    private Outcome explain(Planet planet, Operation op, List<Operation> all) {
        City city = planet.cities().get(op.cityId());
        if (city == null) {
            throw new AssertionError("acknowledged " + op + " left no trace");
        }
        Stamp stamp = op.stamp();
        switch (op.kind()) {
            case DeleteCity -> {
                if (city.deletedAt() == null || city.deletedAt().compareTo(stamp) > 0) {
                    throw new AssertionError("acknowledged delete not reflected: " + op);
                }
                return Outcome.REFLECTED;
            }
            case AddCity -> {
                if (!stamp.equals(city.createdAt())) {
                    throw new AssertionError("city of " + op + " has creation stamp " + city.createdAt());
                }
                if (city.deletedAt() != null) {
                    return Outcome.CITY_DELETED;
                }
                if (!planet.isVisible(city)) {
                    City shown = planet.findByName(city.name().value()).orElseThrow(
                            () -> new AssertionError("live city " + city + " neither visible nor hidden"));
                    if (shown.createdAt().compareTo(city.createdAt()) >= 0) {
                        throw new AssertionError("hidden city is older than the visible one: " + city);
                    }
                    return Outcome.HIDDEN_BY_NAME_COLLISION;
                }
                return Outcome.REFLECTED;
            }
            case UpdateName, UpdateNumber -> {
                Register<?> register = op.kind() == CommandKind.UpdateName ? city.name() : city.rebels();
                Object value = op.kind() == CommandKind.UpdateName ? op.name() : op.rebels();
                if (register.stamp().compareTo(stamp) < 0) {
                    throw new AssertionError("register " + register + " is older than acknowledged " + op);
                }
                if (register.stamp().equals(stamp) && !register.value().equals(value)) {
                    throw new AssertionError("register " + register + " has the stamp but not the value of " + op);
                }
                if (city.deletedAt() != null) {
                    return Outcome.CITY_DELETED;
                }
                if (register.stamp().equals(stamp)) {
                    if (op.kind() == CommandKind.UpdateName && !planet.isVisible(city)) {
                        return Outcome.HIDDEN_BY_NAME_COLLISION;
                    }
                    return Outcome.REFLECTED;
                }
                Operation winner = all.stream()
                        .filter(o -> o.planet().equals(op.planet()) && o.stamp().equals(register.stamp()))
                        .findFirst().orElseThrow(() -> new AssertionError("no operation wrote " + register));
                return winner.clock().dominates(op.clock()) ? Outcome.SUPERSEDED : Outcome.LOST_TO_CONCURRENT;
            }
            default -> throw new AssertionError(op);
        }
    }
}
