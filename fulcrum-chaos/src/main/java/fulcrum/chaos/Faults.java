package fulcrum.chaos;

import fulcrum.testkit.JvmProcess;
import fulcrum.worker.CrashPoints;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The fault schedule: at seeded random times (uniform in the kill-every range) it kills -9 a random
 * target (a worker, the router, the RabbitMQ node) and restarts it after a short random pause, or
 * wipes a worker's disk (kill -9, delete its data directory, restart it on an empty store), or
 * restarts a component with a named crash point armed, waits until it halts there (exit 86) and
 * restarts it without. Every target kind and every crash point of the named targets comes first,
 * in a seeded order, so that each is hit at least once; the thread does not stop before they are done.
 */
final class Faults {
    static final String WORKER_AFTER_COMMIT = CrashPoints.AFTER_COMMIT_BEFORE_ACK;
    static final String WORKER_AFTER_PUBLISH = CrashPoints.AFTER_PUBLISH_BEFORE_REPLY;
    /** The router's (its constant is not public). */
    static final String ROUTER_AFTER_FORWARD = "router.after-forward-before-ack";
    /** Every target kind, in the order the command line names them. */
    static final List<String> KINDS = List.of("worker", "router", "broker", "wipe");

    private static final int ARMED_WAIT_SECONDS = 15;

    record Action(String kind, String crashPoint) {
    }

    private final Cluster cluster;
    private final Random rnd;
    private final List<String> targets;
    private final Duration minEvery;
    private final Duration maxEvery;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Deque<Action> mandatory = new ArrayDeque<>();
    final Map<String, Integer> kills = new ConcurrentHashMap<>();
    /** Broker kills begun: counted before the kill, so a publish that read the count before is known to precede it. */
    private final AtomicInteger brokerKillsBegun = new AtomicInteger();
    final Map<String, Integer> crashPointsHit = new ConcurrentHashMap<>();
    final List<String> crashPointsMissed = new CopyOnWriteArrayList<>();
    final List<String> unexpectedExits = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    private final long startNanos = System.nanoTime();
    private Thread thread;
    private volatile Throwable failure;

    Faults(Cluster cluster, long seed, List<String> targets, Duration minEvery, Duration maxEvery) {
        this.cluster = cluster;
        this.rnd = new Random(seed ^ 0xFA17L);
        this.targets = targets;
        this.minEvery = minEvery;
        this.maxEvery = maxEvery;
        List<Action> first = new ArrayList<>();
        if (targets.contains("worker")) {
            first.add(new Action("worker", null));
            first.add(new Action("worker", WORKER_AFTER_COMMIT));
            first.add(new Action("worker", WORKER_AFTER_PUBLISH));
        }
        if (targets.contains("router")) {
            first.add(new Action("router", null));
            first.add(new Action("router", ROUTER_AFTER_FORWARD));
        }
        if (targets.contains("broker")) {
            first.add(new Action("broker", null));
        }
        if (targets.contains("wipe")) {
            first.add(new Action("wipe", null));
        }
        Collections.shuffle(first, rnd);
        mandatory.addAll(first);
    }

    static List<String> allCrashPoints(List<String> targets) {
        List<String> out = new ArrayList<>();
        if (targets.contains("worker")) {
            out.add(WORKER_AFTER_COMMIT);
            out.add(WORKER_AFTER_PUBLISH);
        }
        if (targets.contains("router")) {
            out.add(ROUTER_AFTER_FORWARD);
        }
        return out;
    }

    void start() {
        thread = new Thread(this::run, "faults");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the schedule after the current action (and after the mandatory ones). */
    void stop() throws InterruptedException {
        running.set(false);
        thread.join();
        if (failure != null) {
            throw new IllegalStateException("the fault schedule failed: " + failure, failure);
        }
    }

    private void run() {
        try {
            while (running.get() || !mandatory.isEmpty()) {
                long wait = minEvery.toNanos() + (long) (rnd.nextDouble() * (maxEvery.toNanos() - minEvery.toNanos()));
                LockSupport.parkNanos(wait); // the fault schedule's pacing
                reviveUnexpectedlyDead();
                Action a = mandatory.isEmpty() ? new Action(targets.get(rnd.nextInt(targets.size())), null) : mandatory.poll();
                execute(a);
            }
            reviveUnexpectedlyDead();
        } catch (Throwable t) {
            failure = t;
            note("fault schedule failed: " + t);
        }
    }

    private void execute(Action a) {
        if ("broker".equals(a.kind())) {
            note("kill -9 rabbitmq");
            brokerKillsBegun.incrementAndGet();
            cluster.node().kill9();
            kills.merge("broker", 1, Integer::sum);
            pause();
            cluster.node().restart();
            note("rabbitmq restarted");
            return;
        }
        String name = "router".equals(a.kind()) ? Cluster.ROUTER
                : cluster.replicaIds().get(rnd.nextInt(cluster.replicaIds().size()));
        if ("wipe".equals(a.kind())) {
            note("kill -9 " + name + " and delete its data directory");
            cluster.wipe(name);
            kills.merge("wipe", 1, Integer::sum);
            pause();
            cluster.start(name, null);
            note(name + " restarted on an empty store");
            return;
        }
        note("kill -9 " + name + (a.crashPoint() == null ? "" : " (to arm " + a.crashPoint() + ")"));
        cluster.kill9(name);
        kills.merge(a.kind(), 1, Integer::sum);
        pause();
        if (a.crashPoint() == null) {
            cluster.start(name, null);
            note(name + " restarted");
            return;
        }
        // A worker gets commands only when the router routes there, so try each worker in turn
        // (the killed one first) until one halts at the crash point.
        List<String> candidates = new ArrayList<>(List.of(name));
        if ("worker".equals(a.kind())) {
            cluster.replicaIds().stream().filter(id -> !id.equals(name)).forEach(candidates::add);
        }
        for (int i = 0; i < candidates.size(); i++) {
            String c = candidates.get(i);
            if (i > 0) {
                note("kill -9 " + c + " (to arm " + a.crashPoint() + ")");
                cluster.kill9(c);
                kills.merge(a.kind(), 1, Integer::sum);
            }
            JvmProcess armed = cluster.start(c, a.crashPoint());
            boolean hit = armed.awaitExit(ARMED_WAIT_SECONDS) && armed.exitCode() == CrashPoints.EXIT_CODE;
            if (!hit) {
                note(c + " did not reach " + a.crashPoint() + " within " + ARMED_WAIT_SECONDS + "s");
                armed.kill9();
            } else {
                crashPointsHit.merge(a.crashPoint(), 1, Integer::sum);
                note(c + " halted at " + a.crashPoint());
            }
            cluster.start(c, null);
            note(c + " restarted without a crash point");
            if (hit) {
                return;
            }
        }
        crashPointsMissed.add(a.crashPoint());
    }

    /** A component that died by itself (not killed by us, not at an armed crash point) is a failure; restart it. */
    void reviveUnexpectedlyDead() {
        for (String name : cluster.components()) {
            JvmProcess p = cluster.process(name);
            if (p != null && !p.isAlive()) {
                boolean expected = cluster.crashPoint(name) != null && p.exitCode() == CrashPoints.EXIT_CODE;
                if (!expected) {
                    unexpectedExits.add(name + " exited " + p.exitCode() + ": " + Cluster.tail(p));
                    note(name + " DIED BY ITSELF with exit " + p.exitCode());
                }
                cluster.start(name, null);
            }
        }
    }

    private void pause() {
        LockSupport.parkNanos(Duration.ofMillis(200 + rnd.nextInt(1300)).toNanos());
    }

    private void note(String line) {
        String s = String.format("[%6.1fs] %s", (System.nanoTime() - startNanos) / 1e9, line);
        log.add(s);
        System.out.println("chaos: " + s);
    }

    int brokerKillsBegun() {
        return brokerKillsBegun.get();
    }

    Map<String, Integer> killsSorted() {
        return new TreeMap<>(kills);
    }
}
