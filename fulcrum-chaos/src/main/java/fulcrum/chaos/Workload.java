package fulcrum.chaos;

import fulcrum.chaos.history.HistoryEvent;
import fulcrum.chaos.history.HistoryEvent.Type;
import fulcrum.chaos.history.HistoryRecorder;
import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.UnavailableException;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.SessionState;
import fulcrum.core.session.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Informant and Leia sessions, each a thread with its own {@link FulcrumClient} and
 * {@link SessionState}, paced so that together they send about {@code rate} operations a second.
 *
 * <p>Informant {@code i} is the only writer of planet {@code Chaos_i}. It adds cities under fresh
 * names, sets counts no other command uses, renames cities to fresh names, deletes cities, and reads
 * any name ever used on its planet (so reads of deleted or renamed cities get CITY_NOT_FOUND). Leias
 * read any name ever used on any planet, mostly live ones. Every command is sent until it has an
 * answer: no answer in time (or a lost connection), STALE and UNAVAILABLE are retried with the same
 * command id, a bounded number of times. To keep the history exactly checkable, a city on which a
 * write did not end OK (failed, or outcome unknown) is never written again, and no name is used
 * twice.
 */
final class Workload {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    static final int MAX_ATTEMPTS = 12;

    /** The mix of an informant's operations (cumulative thresholds of a uniform draw). */
    static final double ADD = 0.12, UPDATE_NUMBER = 0.60, UPDATE_NAME = 0.70, DELETE = 0.77;
    /** An informant keeps at least this many writable cities before it deletes any. */
    static final int MIN_CITIES = 3;
    /** Share of reads that target a name believed live (the rest: any name ever used). */
    static final double READ_LIVE = 0.75;

    private final String uri;
    private final HistoryRecorder history;
    private final long seed;
    private final int informants;
    private final int leias;
    private final double rate;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, Names> namesByPlanet = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    /** The names of one planet, shared with the Leias: every name ever sent, and those believed live. */
    private static final class Names {
        final List<String> everUsed = new CopyOnWriteArrayList<>();
        final List<String> live = new CopyOnWriteArrayList<>();

        String pick(Random rnd) {
            Object[] from = live.toArray(); // a snapshot: the informant changes the list meanwhile
            if (from.length == 0 || rnd.nextDouble() >= READ_LIVE) {
                from = everUsed.toArray();
            }
            return from.length == 0 ? null : (String) from[rnd.nextInt(from.length)];
        }
    }

    /** How a command ended, after every attempt (as the checker counts it). */
    enum Outcome { OK, FAIL, UNKNOWN }

    private enum Op { ADD, UPDATE_NUMBER, UPDATE_NAME, DELETE, READ }

    Workload(String uri, HistoryRecorder history, long seed, int informants, int leias, double rate) {
        this.uri = uri;
        this.history = history;
        this.seed = seed;
        this.informants = informants;
        this.leias = leias;
        this.rate = rate;
    }

    void start() {
        for (int i = 1; i <= informants; i++) {
            namesByPlanet.put("Chaos_" + i, new Names());
        }
        for (int i = 1; i <= informants + leias; i++) {
            boolean informant = i <= informants;
            String name = informant ? "informant-" + i : "leia-" + (i - informants);
            int index = i;
            Thread t = new Thread(() -> runSession(name, informant, index), name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stops sending new operations and waits until every session finished its current one (with retries). */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
    }

    private void runSession(String name, boolean informant, int index) {
        Random rnd = new Random(seed * 31 + index);
        long intervalNanos = (long) ((informants + leias) * 1e9 / rate);
        long next = System.nanoTime() + (long) (rnd.nextDouble() * intervalNanos);
        Session s = new Session(name, rnd);
        Informant own = informant ? new Informant(s, rnd, index) : null;
        while (running.get()) {
            LockSupport.parkNanos(next - System.nanoTime()); // pacing of the workload
            next = Math.max(next + intervalNanos, System.nanoTime());
            try {
                if (own != null) {
                    own.step();
                } else {
                    String target = "Chaos_" + (1 + rnd.nextInt(informants));
                    String city = namesByPlanet.get(target).pick(rnd);
                    if (city != null) {
                        s.call(Command.getNumberRebelds(target, city));
                    }
                }
            } catch (RuntimeException e) {
                System.err.println(name + ": " + e);
            }
        }
        s.close();
    }

    /** One informant's view of its planet: the cities it may still write, and fresh names and counts. */
    private final class Informant {
        private final Session s;
        private final Random rnd;
        private final int index;
        private final String planet;
        private final Names names;
        /** Cities whose every write so far ended OK: the only ones written again. */
        private final List<String> writable = new ArrayList<>();
        private long counter;
        private int nameNumber;

        Informant(Session s, Random rnd, int index) {
            this.s = s;
            this.rnd = rnd;
            this.index = index;
            this.planet = "Chaos_" + index;
            this.names = namesByPlanet.get(planet);
        }

        void step() {
            double p = rnd.nextDouble();
            Op op = writable.size() < MIN_CITIES || p < ADD ? Op.ADD
                    : p < UPDATE_NUMBER ? Op.UPDATE_NUMBER
                    : p < UPDATE_NAME ? Op.UPDATE_NAME
                    : p < DELETE ? (writable.size() > MIN_CITIES ? Op.DELETE : Op.UPDATE_NUMBER)
                    : Op.READ;
            switch (op) {
                case ADD -> {
                    String city = freshName();
                    if (s.call(Command.addCity(planet, city, freshCount())) == Outcome.OK) {
                        writable.add(city);
                    }
                }
                case UPDATE_NUMBER -> {
                    String city = anyWritable();
                    if (s.call(Command.updateNumber(planet, city, freshCount())) != Outcome.OK) {
                        writable.remove(city);
                    }
                }
                case UPDATE_NAME -> {
                    String city = anyWritable();
                    String newName = freshName();
                    writable.remove(city); // renamed away, or its outcome is not OK
                    if (s.call(Command.updateName(planet, city, newName)) == Outcome.OK) {
                        names.live.remove(city);
                        writable.add(newName);
                    }
                }
                case DELETE -> {
                    String city = anyWritable();
                    writable.remove(city);
                    if (s.call(Command.deleteCity(planet, city)) == Outcome.OK) {
                        names.live.remove(city);
                    }
                }
                case READ -> s.call(Command.getNumberRebelds(planet, names.pick(rnd)));
            }
        }

        /** A name never used on this planet, announced to the readers before it is sent. */
        private String freshName() {
            String name = "c" + (++nameNumber);
            names.everUsed.add(name);
            names.live.add(name); // maybe live from now on: reads may target it
            return name;
        }

        private long freshCount() {
            return index * 100_000_000L + (++counter);
        }

        private String anyWritable() {
            return writable.get(rnd.nextInt(writable.size()));
        }
    }

    /** One client session: its connection, its session state, its command ids. */
    private final class Session {
        private final String name;
        private final Random rnd;
        private FulcrumClient client;
        private SessionState state = SessionState.empty();
        private long commands;

        Session(String name, Random rnd) {
            this.name = name;
            this.rnd = rnd;
        }

        /**
         * Sends one command until it has an answer, or gives up. OK; FAIL for a definite error (or STALE
         * at every attempt); UNKNOWN when some attempt got no answer or UNAVAILABLE and none was definite.
         */
        Outcome call(Command command) {
            String id = name + "-" + (++commands);
            boolean maybeApplied = false;
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                history.record(event(Type.INVOKE, id, attempt, command, null, null, false));
                try {
                    if (client == null) {
                        client = FulcrumClient.connect(uri, "chaos-" + name, CALL_TIMEOUT);
                    }
                    Reply r = client.call(id, command, state.requiredClock(command.planet()),
                            state.lastReplica(command.planet()).orElse(null));
                    Verdict verdict = state.check(r);
                    if (r.ok()) {
                        history.record(event(Type.OK, id, attempt, command, r, null, !verdict.accepted()));
                        state = state.observe(r);
                        return Outcome.OK;
                    }
                    history.record(event(Type.FAIL, id, attempt, command, r,
                            r.errorCode() == null ? "UNKNOWN_ERROR" : r.errorCode().name(), false));
                    if (r.errorCode() == ErrorCode.UNAVAILABLE || r.errorCode() == null) {
                        maybeApplied = true;
                    } else if (r.errorCode() != ErrorCode.STALE) {
                        state = state.observe(r);
                        return Outcome.FAIL;
                    }
                } catch (UnavailableException | RuntimeException e) {
                    maybeApplied = true;
                    history.record(event(Type.UNKNOWN, id, attempt, command, null,
                            e.getClass().getSimpleName() + ": " + e.getMessage(), false));
                }
                // back off before the retry (workload pacing, not synchronisation)
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200 + rnd.nextInt(400)));
            }
            return maybeApplied ? Outcome.UNKNOWN : Outcome.FAIL;
        }

        private HistoryEvent event(Type type, String id, int attempt, Command c, Reply r, String error,
                                   boolean refused) {
            return new HistoryEvent(0, 0, name, type, id, attempt, c.kind().name(), c.planet(), c.city(), c.newName(),
                    c.rebels(), r == null ? null : r.replica(), r == null || r.clock() == null ? null : r.clock().asMap(),
                    r == null ? null : r.rebels(), error, refused);
        }

        void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
