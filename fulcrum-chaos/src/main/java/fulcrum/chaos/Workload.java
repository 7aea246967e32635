package fulcrum.chaos;

import fulcrum.chaos.history.HistoryEvent;
import fulcrum.chaos.history.HistoryEvent.Type;
import fulcrum.chaos.history.HistoryRecorder;
import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.UnavailableException;
import fulcrum.common.client.WriteBatching;
import fulcrum.core.clock.VectorClock;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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

    /** The mix of an informant's operations (cumulative thresholds of a uniform draw; above READ: a burst). */
    static final double ADD = 0.12, UPDATE_NUMBER = 0.60, UPDATE_NAME = 0.70, DELETE = 0.77, READ = 0.95;
    /** Cities a burst adds at once, at most (at least two). */
    static final int MAX_BURST = 6;
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
    /** What the sessions' clients sent to replicas through {@code submit} (the bursts), counted as they close. */
    private final AtomicLong batchedMessages = new AtomicLong();
    private final AtomicLong batchedWrites = new AtomicLong();

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

    private enum Op { ADD, UPDATE_NUMBER, UPDATE_NAME, DELETE, READ, BURST }

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

    /** How the bursts' writes travelled to the replicas (sessions' clients count once closed, after {@link #stop}). */
    WriteBatching burstBatching() {
        return new WriteBatching(batchedMessages.get(), batchedWrites.get());
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
                    : p < READ ? Op.READ
                    : Op.BURST;
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
                case BURST -> {
                    List<String> cities = new ArrayList<>();
                    List<Command> adds = new ArrayList<>();
                    for (int i = 2 + rnd.nextInt(MAX_BURST - 1); i > 0; i--) {
                        String city = freshName();
                        cities.add(city);
                        adds.add(Command.addCity(planet, city, freshCount()));
                    }
                    List<Outcome> outcomes = s.burst(adds);
                    for (int i = 0; i < cities.size(); i++) {
                        if (outcomes.get(i) == Outcome.OK) {
                            writable.add(cities.get(i));
                        }
                    }
                }
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
            Attempts t = new Attempts(name, name + "-" + (++commands), command);
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                t.invoked(attempt);
                try {
                    if (client == null) {
                        client = FulcrumClient.connect(uri, "chaos-" + name, CALL_TIMEOUT);
                    }
                    t.answered(attempt, client.call(t.id, command, state.requiredClock(command.planet()),
                            state.lastReplica(command.planet()).orElse(null)));
                    if (t.settled != null) {
                        return t.settled;
                    }
                } catch (UnavailableException | RuntimeException e) {
                    t.unanswered(attempt, e);
                }
                // back off before the retry (workload pacing, not synchronisation)
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200 + rnd.nextInt(400)));
            }
            return t.outcome();
        }

        /**
         * Sends several writes of this session's planet at once (a burst), through
         * {@link FulcrumClient#submit}: they go to the same replica, the first two alone and the others
         * in a batch behind them, and each is retried under its own id, as {@link #call} retries one, with the
         * clock and last replica the session had before the burst (a re-send is the same message). The
         * writes of a burst are concurrent, so each is its own session in the history (its id as the
         * session's name): no order between them is claimed; this session takes their answers in.
         */
        List<Outcome> burst(List<Command> writes) {
            String planet = writes.get(0).planet();
            VectorClock required = state.requiredClock(planet);
            String lastReplica = state.lastReplica(planet).orElse(null);
            List<Attempts> all = new ArrayList<>();
            for (Command write : writes) {
                String id = name + "-" + (++commands) + "-burst";
                all.add(new Attempts(id, id, write));
            }
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                List<Attempts> open = all.stream().filter(t -> t.settled == null).toList();
                if (open.isEmpty()) {
                    break;
                }
                Map<Attempts, CompletableFuture<Reply>> sent = new java.util.LinkedHashMap<>();
                for (Attempts t : open) {
                    t.invoked(attempt);
                    try {
                        if (client == null) {
                            client = FulcrumClient.connect(uri, "chaos-" + name, CALL_TIMEOUT);
                        }
                        sent.put(t, client.submit(t.id, t.command, required, lastReplica));
                    } catch (UnavailableException e) {
                        sent.put(t, CompletableFuture.failedFuture(e));
                    }
                }
                for (Map.Entry<Attempts, CompletableFuture<Reply>> e : sent.entrySet()) {
                    try {
                        e.getKey().answered(attempt, e.getValue().get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS));
                    } catch (ExecutionException | TimeoutException | RuntimeException ex) {
                        e.getKey().unanswered(attempt, ex instanceof ExecutionException && ex.getCause() != null ? ex.getCause() : ex);
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", ex);
                    }
                }
                if (all.stream().anyMatch(t -> t.settled == null)) {
                    // back off before the retry (workload pacing, not synchronisation)
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200 + rnd.nextInt(400)));
                }
            }
            return all.stream().map(Attempts::outcome).toList();
        }

        /** One command's attempts: each recorded in the history, and what its answers mean for it. */
        private final class Attempts {
            final String session;
            final String id;
            final Command command;
            /** OK or FAIL once an answer settled it; null while it is to be sent again. */
            Outcome settled;
            /** Some attempt got no answer or UNAVAILABLE: it may have been applied. */
            boolean maybeApplied;

            Attempts(String session, String id, Command command) {
                this.session = session;
                this.id = id;
                this.command = command;
            }

            void invoked(int attempt) {
                record(Type.INVOKE, attempt, null, null, false);
            }

            /** An applied or rejected answer settles the command; STALE and UNAVAILABLE leave it to be sent again. */
            void answered(int attempt, Reply r) {
                Verdict verdict = state.check(r);
                if (r.ok()) {
                    record(Type.OK, attempt, r, null, !verdict.accepted());
                    state = state.observe(r);
                    settled = Outcome.OK;
                    return;
                }
                record(Type.FAIL, attempt, r, r.errorCode() == null ? "UNKNOWN_ERROR" : r.errorCode().name(), false);
                if (r.errorCode() == ErrorCode.UNAVAILABLE || r.errorCode() == null) {
                    maybeApplied = true;
                } else if (r.errorCode() != ErrorCode.STALE) {
                    state = state.observe(r);
                    settled = Outcome.FAIL;
                }
            }

            void unanswered(int attempt, Throwable why) {
                maybeApplied = true;
                record(Type.UNKNOWN, attempt, null, why.getClass().getSimpleName() + ": " + why.getMessage(), false);
            }

            private void record(Type type, int attempt, Reply r, String error, boolean refused) {
                Command c = command;
                history.record(new HistoryEvent(0, 0, session, type, id, attempt, c.kind().name(), c.planet(), c.city(),
                        c.newName(), c.rebels(), r == null ? null : r.replica(),
                        r == null || r.clock() == null ? null : r.clock().asMap(), r == null ? null : r.rebels(), error, refused));
            }

            /** How it ended after every attempt (as the checker counts it). */
            Outcome outcome() {
                return settled != null ? settled : maybeApplied ? Outcome.UNKNOWN : Outcome.FAIL;
            }
        }

        void close() {
            if (client != null) {
                WriteBatching b = client.writeBatching();
                batchedMessages.addAndGet(b.messages());
                batchedWrites.addAndGet(b.writes());
                client.close();
            }
        }
    }
}
