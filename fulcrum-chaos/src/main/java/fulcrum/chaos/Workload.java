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
 * Informant {@code i} owns planet {@code Chaos_i}: it adds cities and updates their counts with
 * values no other command uses, and reads its own cities; Leias read any informant's cities. An
 * answer that does not come (timeout, lost connection) is retried with the same command id, a
 * bounded number of times; STALE and UNAVAILABLE answers too.
 */
final class Workload {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    static final int MAX_ATTEMPTS = 12;

    private final String uri;
    private final HistoryRecorder history;
    private final long seed;
    private final int informants;
    private final int leias;
    private final double rate;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, List<String>> citiesByPlanet = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

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
            citiesByPlanet.put("Chaos_" + i, new CopyOnWriteArrayList<>());
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
        long counter = 0;
        String planet = "Chaos_" + index;
        List<String> mine = informant ? citiesByPlanet.get(planet) : null;
        int cityNumber = 0;
        while (running.get()) {
            LockSupport.parkNanos(next - System.nanoTime()); // pacing of the workload
            next = Math.max(next + intervalNanos, System.nanoTime());
            try {
                if (informant) {
                    double p = rnd.nextDouble();
                    if (mine.isEmpty() || p < 0.1) {
                        String city = "c" + (++cityNumber);
                        long value = index * 100_000_000L + (++counter);
                        Reply r = s.call(Command.addCity(planet, city, value), value);
                        if (r != null && r.ok()) {
                            mine.add(city);
                        }
                    } else if (p < 0.8) {
                        String city = mine.get(rnd.nextInt(mine.size()));
                        long value = index * 100_000_000L + (++counter);
                        s.call(Command.updateNumber(planet, city, value), value);
                    } else {
                        s.call(Command.getNumberRebelds(planet, mine.get(rnd.nextInt(mine.size()))), null);
                    }
                } else {
                    String target = "Chaos_" + (1 + rnd.nextInt(informants));
                    List<String> cities = citiesByPlanet.get(target);
                    if (!cities.isEmpty()) {
                        s.call(Command.getNumberRebelds(target, cities.get(rnd.nextInt(cities.size()))), null);
                    }
                }
            } catch (RuntimeException e) {
                System.err.println(name + ": " + e);
            }
        }
        s.close();
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

        /** Sends one command until it has an answer (or gives up); returns the last answer, or null. */
        Reply call(Command command, Long value) {
            String id = name + "-" + (++commands);
            Reply last = null;
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                history.record(event(Type.INVOKE, id, attempt, command, value, null, null, false));
                try {
                    if (client == null) {
                        client = FulcrumClient.connect(uri, "chaos-" + name, CALL_TIMEOUT);
                    }
                    Reply r = client.call(id, command, state.requiredClock(command.planet()),
                            state.lastReplica(command.planet()).orElse(null));
                    Verdict verdict = state.check(r);
                    if (r.ok()) {
                        history.record(event(Type.OK, id, attempt, command, value, r, null, !verdict.accepted()));
                        state = state.observe(r);
                        return r;
                    }
                    history.record(event(Type.FAIL, id, attempt, command, value, r,
                            r.errorCode() == null ? "UNKNOWN_ERROR" : r.errorCode().name(), false));
                    last = r;
                    if (r.errorCode() != ErrorCode.STALE && r.errorCode() != ErrorCode.UNAVAILABLE) {
                        state = state.observe(r);
                        return r;
                    }
                } catch (UnavailableException | RuntimeException e) {
                    history.record(event(Type.UNKNOWN, id, attempt, command, value, null,
                            e.getClass().getSimpleName() + ": " + e.getMessage(), false));
                }
                // back off before the retry (workload pacing, not synchronisation)
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200 + rnd.nextInt(400)));
            }
            return last;
        }

        private HistoryEvent event(Type type, String id, int attempt, Command c, Long value, Reply r, String error,
                                   boolean refused) {
            return new HistoryEvent(0, 0, name, type, id, attempt, c.kind().name(), c.planet(), c.city(), c.newName(), value,
                    r == null ? null : r.replica(), r == null || r.clock() == null ? null : r.clock().asMap(),
                    r == null ? null : r.rebels(), error, refused);
        }

        void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
