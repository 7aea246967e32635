package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import fulcrum.common.cli.CliRunner;
import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.SessionFile;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.SessionChecker;
import fulcrum.core.session.SessionEvent;
import fulcrum.core.session.SessionState;
import fulcrum.core.session.Verdict;
import fulcrum.informant.InformantMain;
import fulcrum.leia.LeiaMain;
import fulcrum.testkit.JvmProcess;
import fulcrum.testkit.TestBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four session guarantees, enforced end to end: a real broker, the router and three worker
 * JVMs, the CLIs in-process and as separate JVMs. The workers run with
 * {@code --replication interval --merge-interval 1h}: they publish their entries only at start (what
 * a crash left unpublished) and when the test publishes {@code MergeNow}, so between merges the
 * replicas differ and a session's state is held by the one replica that took its writes. (In the
 * default eager replication every write is in every peer's queue before it is answered.)
 *
 * <p>One cluster serves the whole class (starting three workers and a router is most of the cost).
 * Each test uses planets of its own, so they do not see each other's writes; the only test that
 * asks for merges runs last, and a merge only spreads writes made before it, so the earlier tests'
 * "without merges" reasoning holds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionGuaranteesTest {
    /** Merges only at start and on MergeNow; status often, for {@link ReplicationProbe#awaitConverged}. */
    private static final List<String> WORKER_ARGS = List.of("--replication", "interval", "--merge-interval", "1h",
            "--status-interval", "300ms");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** For commands that are expected to wait for a dead replica. */
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path dir;

    private static Cluster cluster;
    private static ReplicationProbe probe;

    /** One CLI run: exit code, the reply it printed with {@code --json} (null if none), and both streams. */
    record Run(int exitCode, Reply reply, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + " out=" + out.strip() + " err=" + err.strip();
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new Cluster(TestBroker.freshVirtualHost("sessions"), 3, dir.resolve("cluster"));
        cluster.startAll(WORKER_ARGS);
        probe = new ReplicationProbe(cluster.uri(), 3);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (probe != null) {
            probe.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Read-your-writes and monotonic writes through the router, the CLI keeping its session file:
     * after an AddCity, 30 alternating UpdateNumber / GetNumberRebelds all succeed, every read returns
     * the count written just before, every answer's clock dominates the session's clock before it
     * (which the session file then holds), and every answer comes from the one replica that has the
     * planet's writes (no merges).
     */
    @Test
    @Order(1)
    void readYourWritesAndMonotonicWritesThroughTheRouterWithASessionFile() throws Exception {
        Path session = dir.resolve("sessions").resolve("ryw.json");
        List<SessionEvent> history = new ArrayList<>();
        Run added = cli(new InformantMain(), session, "AddCity", "Kashyyyk", "Kachirho", "0");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        String home = added.reply().replica();
        assertThat(added.reply().clock().asMap()).isEqualTo(clock(home, 1));
        assertThat(sessionEntry(session, "Kashyyyk")).isEqualTo(new SessionState.Entry(clock(home, 1), home));
        history.add(SessionEvent.of("ryw", added.reply()));

        VectorClock sessionClock = added.reply().clock();
        long written = 0;
        for (int i = 1; i <= 30; i++) {
            boolean write = i % 2 == 1;
            Run run = write
                    ? cli(new InformantMain(), session, "UpdateNumber", "Kashyyyk", "Kachirho", Long.toString(i))
                    : cli(new LeiaMain(), session, "GetNumberRebelds", "Kashyyyk", "Kachirho");
            assertThat(run.exitCode()).as("#%d %s", i, run).isZero();
            Reply reply = run.reply();
            assertThat(reply.ok()).isTrue();
            assertThat(reply.replica()).as("#%d served by the replica that holds the writes", i).isEqualTo(home);
            assertThat(reply.clock().dominates(sessionClock)).as("#%d %s after %s", i, reply.clock(), sessionClock).isTrue();
            if (write) {
                written = i;
                assertThat(reply.clock().get(home)).as("a write advances its replica's entry").isEqualTo(sessionClock.get(home) + 1);
            } else {
                assertThat(reply.rebels()).as("#%d reads the last write", i).isEqualTo(written);
                assertThat(reply.clock()).as("nobody else writes this planet").isEqualTo(sessionClock);
            }
            sessionClock = reply.clock();
            assertThat(sessionEntry(session, "Kashyyyk")).as("the session file after #%d", i)
                    .isEqualTo(new SessionState.Entry(sessionClock.asMap(), home));
            history.add(SessionEvent.of("ryw", reply));
        }
        assertThat(sessionClock.asMap()).isEqualTo(clock(home, 16));
        assertThat(SessionChecker.check(history)).isEmpty();
    }

    /**
     * The session outlives the client process: three CLI JVMs in a row share one session file; each
     * reads (or writes on top of) what the previous one wrote.
     */
    @Test
    @Order(2)
    void aSessionFileCarriesReadYourWritesAcrossClientProcesses() throws Exception {
        Path session = dir.resolve("sessions").resolve("processes.json");
        Run added = cliProcess("fulcrum.informant.InformantMain", session, "AddCity", "Mustafar", "Fortress", "3");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        String home = added.reply().replica();

        Run read = cliProcess("fulcrum.leia.LeiaMain", session, "GetNumberRebelds", "Mustafar", "Fortress");
        assertThat(read.exitCode()).as(read.toString()).isZero();
        assertThat(read.reply().rebels()).isEqualTo(3);
        assertThat(read.reply().replica()).isEqualTo(home);
        assertThat(read.reply().clock()).isEqualTo(added.reply().clock());

        Run updated = cliProcess("fulcrum.informant.InformantMain", session, "UpdateNumber", "Mustafar", "Fortress", "4");
        assertThat(updated.exitCode()).as(updated.toString()).isZero();
        assertThat(updated.reply().replica()).isEqualTo(home);
        assertThat(updated.reply().clock().asMap()).isEqualTo(clock(home, 2));

        Run readAgain = cli(new LeiaMain(), session, "GetNumberRebelds", "Mustafar", "Fortress");
        assertThat(readAgain.exitCode()).as(readAgain.toString()).isZero();
        assertThat(readAgain.reply().rebels()).isEqualTo(4);
        assertThat(readAgain.reply().clock()).isEqualTo(updated.reply().clock());
        assertThat(SessionChecker.check(List.of(SessionEvent.of("p", added.reply()), SessionEvent.of("p", read.reply()),
                SessionEvent.of("p", updated.reply()), SessionEvent.of("p", readAgain.reply())))).isEmpty();
    }

    /**
     * Kill -9 the replica that holds the session's writes: the session's read waits for it (exit 3)
     * or is refused (STALE, exit 1), never answered from an older state; the session file does not
     * move. A read without a session is served by another replica, which has no such city: the
     * guarantee is the session's. After the restart, a read that was queued meanwhile is served, and
     * a new one too.
     */
    @Test
    @Order(3)
    void whenTheReplicaThatServedTheSessionIsKilledItsReadsWaitOrAreRefusedNeverOlder() throws Exception {
        Path session = dir.resolve("sessions").resolve("kill.json");
        Run added = cli(new InformantMain(), session, "AddCity", "Endor", "Bright_Tree", "7");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        String home = added.reply().replica();
        Run read = cli(new LeiaMain(), session, "GetNumberRebelds", "Endor", "Bright_Tree");
        assertThat(read.reply().rebels()).as(read.toString()).isEqualTo(7);
        SessionState.Entry before = sessionEntry(session, "Endor");

        cluster.kill9(home);

        Run refused = cli(new LeiaMain(), session, SHORT_TIMEOUT, "GetNumberRebelds", "Endor", "Bright_Tree");
        assertNeverOlder(refused);
        Run write = cli(new InformantMain(), session, SHORT_TIMEOUT, "UpdateNumber", "Endor", "Bright_Tree", "8");
        assertNeverOlder(write);
        System.out.printf("%s killed: the session's read got %s, its write %s%n", home,
                refused.reply().errorCode(), write.reply().errorCode());
        assertThat(sessionEntry(session, "Endor")).as("a refused answer never advances the session").isEqualTo(before);

        // Without a session any replica may answer: the others have no Bright_Tree (no merge happened).
        Run unguarded = await("a --no-session read answered by a live replica").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> cli(new LeiaMain(), null, SHORT_TIMEOUT, "--no-session", "GetNumberRebelds", "Endor", "Bright_Tree"),
                        r -> r.exitCode() != 3);
        assertThat(unguarded.exitCode()).as(unguarded.toString()).isEqualTo(1);
        assertThat(unguarded.reply().errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
        assertThat(unguarded.reply().replica()).isNotEqualTo(home);

        SessionState state = SessionState.fromData(Map.of("Endor", before));
        Reply served;
        try (FulcrumClient client = FulcrumClient.connect(cluster.uri(), "queued-read", Duration.ofSeconds(120))) {
            CompletableFuture<Reply> queued = CompletableFuture.supplyAsync(() -> call(client, state,
                    Command.getNumberRebelds("Endor", "Bright_Tree")));
            cluster.startWorker(home, Map.of(), WORKER_ARGS);
            served = queued.get(120, TimeUnit.SECONDS);
            assertThat(served.ok()).as(served.toString()).isTrue();
            // 8 when the UpdateNumber that timed out, queued before it in the same queue, was forwarded in time
            assertThat(served.rebels()).isIn(7L, 8L);
            assertThat(state.check(served).accepted()).isTrue();
        }
        Run after = cli(new LeiaMain(), session, "GetNumberRebelds", "Endor", "Bright_Tree");
        assertThat(after.exitCode()).as(after.toString()).isZero();
        // the file's session never saw 8 (that run timed out): a replica with only the AddCity may answer
        assertThat(after.reply().rebels()).isIn(7L, 8L);
        assertThat(after.reply().clock().dominates(VectorClock.of(before.clock()))).isTrue();
    }

    /**
     * Writes follow reads: sessions that read a city at the replica that has it (a read pinned to that
     * replica, since an empty session may be served anywhere), then add a city on that planet through
     * the router with the informant CLI. An AddCity would succeed at any replica; with the session
     * every one is applied where the read's state is, so its clock dominates the read's.
     */
    @Test
    @Order(4)
    void writesFollowReadsEveryWriteIsAppliedOnTopOfWhatTheSessionRead() throws Exception {
        String holder = "fulcrum-2";
        assertThat(probe.call(holder, Command.addCity("Jakku", "Niima_Outpost", 1)).ok()).isTrue();
        for (int i = 0; i < 5; i++) {
            Reply read = probe.call(holder, Command.getNumberRebelds("Jakku", "Niima_Outpost"));
            assertThat(read.ok()).as(read.toString()).isTrue();
            Path session = dir.resolve("sessions").resolve("wfr-" + i + ".json");
            try (SessionFile file = SessionFile.open(session)) {
                file.save(SessionState.empty().observe(read));
            }
            Run write = cli(new InformantMain(), session, "AddCity", "Jakku", "Camp_" + i, "2");
            assertThat(write.exitCode()).as(write.toString()).isZero();
            assertThat(write.reply().clock().dominates(read.clock()))
                    .as("write %s after read %s", write.reply().clock(), read.clock()).isTrue();
            assertThat(write.reply().replica()).isEqualTo(holder);
            assertThat(SessionChecker.check(List.of(SessionEvent.of("wfr-" + i, read), SessionEvent.of("wfr-" + i,
                    write.reply())))).isEmpty();
        }
    }

    /**
     * Monotonic reads while merges run: two informant sessions update one city, one starting at
     * fulcrum-1 and one at fulcrum-2, through the router, while MergeNow rounds run; Leia reads the
     * city hundreds of times through the router with an in-memory session. Every read is served,
     * none is refused by her check, each clock dominates the previous one, and the recorded history
     * of all three sessions passes {@link SessionChecker}.
     */
    @Test
    @Order(5)
    void leiasReadsNeverGoBackwardsWhileTwoInformantsWriteAtDifferentReplicasAndMergesRun() throws Exception {
        String planet = "Naboo";
        String city = "Theed";
        assertThat(probe.call("fulcrum-1", Command.addCity(planet, city, 0)).ok()).isTrue();
        probe.mergeNow();
        for (String id : List.of("fulcrum-2", "fulcrum-3")) {
            await(id + " has " + city).atMost(ReplicationProbe.WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> probe.call(id, Command.getNumberRebelds(planet, city)).ok());
        }
        // Each informant's session starts with a write at "its" replica, so the two diverge until a merge.
        List<SessionEvent> history = Collections.synchronizedList(new ArrayList<>());
        SessionState[] informants = new SessionState[2];
        VectorClock diverged = VectorClock.empty();
        String[] starts = {"fulcrum-1", "fulcrum-2"};
        for (int k = 0; k < 2; k++) {
            Reply first = probe.call(starts[k], Command.updateNumber(planet, city, 1000L * (k + 1)));
            assertThat(first.ok()).as(first.toString()).isTrue();
            informants[k] = SessionState.empty().observe(first);
            diverged = diverged.merge(first.clock());
            history.add(SessionEvent.of("informant-" + k, first));
        }

        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Integer> writers = CompletableFuture.supplyAsync(() -> {
            try (FulcrumClient a = FulcrumClient.connect(cluster.uri(), "informant-0", CALL_TIMEOUT);
                 FulcrumClient b = FulcrumClient.connect(cluster.uri(), "informant-1", CALL_TIMEOUT)) {
                FulcrumClient[] clients = {a, b};
                int round = 0;
                while (!stop.get()) {
                    round++;
                    for (int k = 0; k < 2; k++) {
                        Reply r = call(clients[k], informants[k], Command.updateNumber(planet, city, 1000L * (k + 1) + round));
                        Verdict verdict = informants[k].check(r);
                        if (!r.ok() || !verdict.accepted()) {
                            throw new AssertionError("informant-" + k + " round " + round + ": " + r + " " + verdict);
                        }
                        informants[k] = informants[k].observe(r);
                        history.add(SessionEvent.of("informant-" + k, r));
                    }
                    if (round % 8 == 0) {
                        probe.mergeNow();
                    }
                }
                return round;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        SessionState leia = SessionState.empty();
        Set<String> servedBy = new TreeSet<>();
        int reads = 0;
        try (FulcrumClient client = FulcrumClient.connect(cluster.uri(), "leia", CALL_TIMEOUT)) {
            VectorClock previous = VectorClock.empty();
            // A few hundred reads, and on until she was served by two replicas and saw both informants'
            // later writes merged (bounded; both are asserted below).
            while (reads < 300 || (reads < 1500 && !(servedBy.size() >= 2 && previous.dominates(diverged)))) {
                if (writers.isDone()) {
                    writers.join(); // surfaces the informants' failure
                    fail("the informants stopped writing");
                }
                Reply r = call(client, leia, Command.getNumberRebelds(planet, city));
                reads++;
                assertThat(r.ok()).as("read #%d: %s", reads, r).isTrue();
                Verdict verdict = leia.check(r);
                assertThat(verdict.accepted()).as("read #%d refused by Leia's check: %s", reads, verdict).isTrue();
                assertThat(r.clock().dominates(previous)).as("read #%d: %s after %s", reads, r.clock(), previous).isTrue();
                leia = leia.observe(r);
                previous = r.clock();
                servedBy.add(r.replica());
                history.add(SessionEvent.of("leia", r));
            }
        } finally {
            stop.set(true);
        }
        int rounds = writers.get(120, TimeUnit.SECONDS);
        System.out.printf("monotonic reads: %d reads served by %s, %d informant rounds, Leia's last clock %s%n",
                reads, servedBy, rounds, leia.requiredClock(planet));
        assertThat(servedBy).as("Leia was served by more than one replica").hasSizeGreaterThanOrEqualTo(2);
        assertThat(leia.requiredClock(planet).dominates(diverged)).as("Leia read a merge of both informants' writes").isTrue();
        List<SessionEvent> all;
        synchronized (history) {
            all = List.copyOf(history);
        }
        assertThat(SessionChecker.check(all)).isEmpty();
    }

    /** A session's call through the router: carries its required clock and last replica for the planet. */
    private static Reply call(FulcrumClient client, SessionState session, Command command) {
        VectorClock required = session.requiredClock(command.planet());
        try {
            return client.call(UUID.randomUUID().toString(), command, required.asMap().isEmpty() ? null : required,
                    session.lastReplica(command.planet()).orElse(null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exit 3 (waits for the dead replica) or exit 1 STALE; never an answer, nor CITY_NOT_FOUND. */
    private static void assertNeverOlder(Run run) {
        assertThat(run.exitCode()).as(run.toString()).isIn(1, 3);
        assertThat(run.reply().ok()).isFalse();
        assertThat(run.reply().errorCode()).as(run.toString())
                .isEqualTo(run.exitCode() == 3 ? ErrorCode.UNAVAILABLE : ErrorCode.STALE);
    }

    private static java.util.SortedMap<String, Long> clock(String replica, long count) {
        java.util.SortedMap<String, Long> clock = new java.util.TreeMap<>(Map.of("fulcrum-1", 0L, "fulcrum-2", 0L, "fulcrum-3", 0L));
        clock.put(replica, count);
        return clock;
    }

    private static SessionState.Entry sessionEntry(Path file, String planet) throws Exception {
        try (SessionFile session = SessionFile.open(file)) {
            return session.load().toData().get(planet);
        }
    }

    /** The CLI in this JVM with {@code --json}; {@code session} null when the args say {@code --no-session}. */
    private static Run cli(Object main, Path session, String... args) {
        return cli(main, session, CALL_TIMEOUT, args);
    }

    private static Run cli(Object main, Path session, Duration timeout, String... args) {
        List<String> all = new ArrayList<>(List.of("--uri", cluster.uri(), "--timeout", timeout.toMillis() + "ms", "--json"));
        if (session != null) {
            all.addAll(List.of("--session-file", session.toString()));
        }
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CliRunner.run(main, new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(code, parse(out.toString()), out.toString(), err.toString());
    }

    /** The CLI as a separate JVM, as a user runs it twice in a row. */
    private static Run cliProcess(String mainClass, Path session, String... args) {
        List<String> all = new ArrayList<>(List.of("--uri", cluster.uri(), "--timeout", "30s", "--json",
                "--session-file", session.toString()));
        all.addAll(List.of(args));
        JvmProcess.Result result = JvmProcess.run(dir.resolve("cli-logs"), Map.of(), mainClass, all, 90);
        return new Run(result.exitCode(), parse(result.output()), result.output(), "");
    }

    /** The JSON line a {@code --json} run printed (other lines are log output). */
    private static Reply parse(String output) {
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                return ReplyCodec.decode(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return null;
    }
}
