package fulcrum.it;

import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.UnavailableException;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.SessionState;
import fulcrum.core.session.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients writing through the router without pause until told to stop: each writer owns its planets
 * (so that what the store must end with is known), adds cities and sets their counts to values no
 * other write uses. Session writers keep a {@link SessionState} and send its required clock and last
 * replica; the others send neither ({@code --no-session}). A command left without an answer (no
 * reply in time, or the router's {@code UNAVAILABLE}) is re-sent with its first envelope until it is
 * answered, so that every command ends with a known outcome.
 */
final class WriteLoad implements AutoCloseable {
    /** One answered write. */
    /** {@code firstSentAtNanos}: the first attempt; a command with no answer is re-sent under its id until answered. */
    record Outcome(String writer, boolean session, String commandId, Command command, Reply reply, long firstSentAtNanos,
                   long answeredAtNanos) {
    }

    private static final int PLANETS_PER_WRITER = 3;
    private static final int CITIES_PER_PLANET = 8;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration GIVE_UP = Duration.ofMinutes(3);

    private final String uri;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<CompletableFuture<Void>> writers = new ArrayList<>();

    WriteLoad(String uri) {
        this.uri = uri;
    }

    WriteLoad start(int sessionWriters, int freeWriters, long seed) {
        for (int k = 0; k < sessionWriters + freeWriters; k++) {
            boolean session = k < sessionWriters;
            String name = (session ? "session-" : "free-") + k;
            long writerSeed = seed + k;
            writers.add(CompletableFuture.runAsync(() -> write(name, session, writerSeed)));
        }
        return this;
    }

    /** Planets of writer {@code name}; the planet names say which writer owns them. */
    static List<String> planetsOf(String name) {
        List<String> planets = new ArrayList<>();
        for (int j = 0; j < PLANETS_PER_WRITER; j++) {
            planets.add(name.replace("-", "_") + "_planet_" + j);
        }
        return planets;
    }

    private void write(String name, boolean session, long seed) {
        Random random = new Random(seed);
        SessionState state = SessionState.empty();
        Map<String, List<String>> cities = new HashMap<>();
        planetsOf(name).forEach(p -> cities.put(p, new ArrayList<>()));
        long n = 0;
        try (FulcrumClient client = FulcrumClient.connect(uri, name, CALL_TIMEOUT)) {
            while (!stop.get()) {
                n++;
                String planet = planetsOf(name).get(random.nextInt(PLANETS_PER_WRITER));
                List<String> known = cities.get(planet);
                long value = seed * 1_000_000 + n;
                Command command = known.size() < CITIES_PER_PLANET
                        ? Command.addCity(planet, "City_" + known.size(), value)
                        : Command.updateNumber(planet, known.get(random.nextInt(known.size())), value);
                String commandId = name + "-" + n;
                VectorClock required = session && !state.requiredClock(planet).asMap().isEmpty() ? state.requiredClock(planet) : null;
                String last = session ? state.lastReplica(planet).orElse(null) : null;
                long firstSentAt = System.nanoTime();
                Reply reply = untilAnswered(client, commandId, command, required, last);
                outcomes.add(new Outcome(name, session, commandId, command, reply, firstSentAt, System.nanoTime()));
                if (session) {
                    Verdict verdict = state.check(reply);
                    if (!verdict.accepted()) {
                        problems.add(name + ": " + commandId + " " + reply + " refused by the session: " + verdict);
                    }
                    state = state.observe(reply);
                }
                if (command.kind() == CommandKind.AddCity && (reply.ok() || reply.errorCode() == ErrorCode.CITY_ALREADY_EXISTS)) {
                    known.add(command.city());
                } else if (!reply.ok() && session) {
                    problems.add(name + ": " + commandId + " " + command + " answered " + reply);
                }
            }
        } catch (UnavailableException | RuntimeException e) {
            problems.add(name + " stopped: " + e);
        }
    }

    /** Sends, and re-sends the same envelope, until an answer other than UNAVAILABLE. */
    private static Reply untilAnswered(FulcrumClient client, String commandId, Command command, VectorClock required,
                                       String last) {
        long giveUpAt = System.nanoTime() + GIVE_UP.toNanos();
        String lastProblem = "";
        while (System.nanoTime() - giveUpAt < 0) {
            try {
                Reply reply = client.call(commandId, command, required, last);
                if (reply.ok() || reply.errorCode() != ErrorCode.UNAVAILABLE) {
                    return reply;
                }
                lastProblem = reply.errorMessage();
            } catch (UnavailableException e) {
                lastProblem = e.getMessage();
            }
        }
        throw new IllegalStateException(commandId + " unanswered for " + GIVE_UP + ": " + lastProblem);
    }

    int answered() {
        return outcomes.size();
    }

    long answeredBy(String replica, long sinceNanos) {
        synchronized (outcomes) {
            return outcomes.stream().filter(o -> o.reply().ok() && replica.equals(o.reply().replica())
                    && o.answeredAtNanos() - sinceNanos > 0).count();
        }
    }

    List<Outcome> outcomes() {
        synchronized (outcomes) {
            return List.copyOf(outcomes);
        }
    }

    List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    /** Stops after each writer's command in flight is answered. */
    void stopAndJoin() throws Exception {
        stop.set(true);
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(GIVE_UP.toSeconds() + 30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
    }
}
