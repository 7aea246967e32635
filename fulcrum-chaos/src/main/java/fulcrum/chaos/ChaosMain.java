package fulcrum.chaos;

import fulcrum.chaos.check.CheckReport;
import fulcrum.common.cli.DurationConverter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chaos}: kills -9 the router, workers and RabbitMQ node under load, then checks the history.
 * Prints the seed first and a verdict table last; exit 0 only if every check holds, 1 if one fails,
 * 2 on bad usage, 3 if the run itself could not be carried out.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Crash-and-restart resilience run: kill -9 anything under load, then prove nothing was lost.",
        subcommands = ChaosMain.Check.class)
public final class ChaosMain implements Callable<Integer> {
    @Option(names = "--duration", converter = DurationConverter.class, defaultValue = "60s",
            description = "how long the workload runs under faults (default ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--seed", description = "seed of the workload, fuzzer and fault schedule (default: random)")
    Long seed;

    @Option(names = "--rate", defaultValue = "200", description = "client operations per second, all sessions (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--kill-every", defaultValue = "2s..10s", paramLabel = "MIN..MAX",
            description = "pause between faults, uniform in MIN..MAX (default ${DEFAULT-VALUE})")
    String killEvery;

    @Option(names = "--targets", defaultValue = "worker,router,broker,wipe", split = ",",
            description = "what to kill: worker, router, broker, wipe (kill -9 a worker, delete its data directory,"
                    + " restart it on an empty store: it rejoins from its peers) (default ${DEFAULT-VALUE})")
    List<String> targets;

    @Option(names = "--fuzz", defaultValue = "command,merge,status", split = ",",
            description = "where to send bad input: command (router and replica queues), merge (fulcrum.merge),"
                    + " status (fulcrum.status) (default ${DEFAULT-VALUE})")
    List<String> fuzz;

    @Option(names = "--replication", defaultValue = "eager", paramLabel = "MODE",
            description = "the workers' --replication: eager (default: an acknowledged write survives a wiped disk) or "
                    + "interval (the seed's mode: it does not; with the wipe target such a run should find lost writes)")
    String replication;

    @Option(names = "--out", description = "directory for the run (broker, data, logs, history; default target/chaos-<seed>)")
    Path out;

    @Option(names = "--informants", defaultValue = "6", description = "informant sessions (default ${DEFAULT-VALUE})")
    int informants;

    @Option(names = "--leias", defaultValue = "3", description = "Leia sessions (default ${DEFAULT-VALUE})")
    int leias;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosMain()).execute(args));
    }

    static Set<FuzzCases.Route> parseRoutes(List<String> names) {
        Set<FuzzCases.Route> out = EnumSet.noneOf(FuzzCases.Route.class);
        for (String n : names) {
            try {
                out.add(FuzzCases.Route.valueOf(n.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--fuzz: unknown route '" + n + "' (command, merge, status)", e);
            }
        }
        return out;
    }

    static Duration[] parseRange(String range) {
        String[] parts = range.split("\\.\\.", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("--kill-every: expected MIN..MAX, e.g. 2s..10s, got '" + range + "'");
        }
        DurationConverter c = new DurationConverter();
        try {
            Duration min = c.convert(parts[0]);
            Duration max = parts.length == 2 ? c.convert(parts[1]) : min;
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("--kill-every: MAX is below MIN in '" + range + "'");
            }
            return new Duration[] {min, max};
        } catch (Exception e) {
            throw new IllegalArgumentException("--kill-every: " + e.getMessage(), e);
        }
    }

    @Override
    public Integer call() {
        PrintStream o = System.out;
        long theSeed = seed != null ? seed : new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
        o.println("seed: " + theSeed);
        o.flush();
        Duration[] range;
        Set<FuzzCases.Route> routes;
        try {
            range = parseRange(killEvery);
            for (String t : targets) {
                if (!Faults.KINDS.contains(t)) {
                    throw new IllegalArgumentException("--targets: unknown target '" + t + "' ("
                            + String.join(", ", Faults.KINDS) + ")");
                }
            }
            routes = parseRoutes(fuzz);
            if (!replication.equals("eager") && !replication.equals("interval")) {
                throw new IllegalArgumentException("--replication: expected eager or interval, got '" + replication + "'");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("chaos: " + e.getMessage());
            return 2;
        }
        Path dir = out != null ? out : Path.of("target", "chaos-" + theSeed);
        ChaosRun.Settings settings = new ChaosRun.Settings(duration, theSeed, rate, range[0], range[1],
                List.copyOf(targets), routes, dir.toAbsolutePath(), informants, leias, replication);
        String reproduce = "./fulcrum chaos --duration " + format(duration) + " --seed " + theSeed + " --rate "
                + trim(rate) + " --kill-every " + killEvery + " --targets " + String.join(",", targets)
                + " --fuzz " + String.join(",", fuzz) + " --informants " + informants + " --leias " + leias
                + ("eager".equals(replication) ? "" : " --replication " + replication);
        ChaosRun.Result result;
        try {
            result = new ChaosRun(settings, o).run();
        } catch (Exception e) {
            e.printStackTrace();
            System.err.println("chaos: the run could not be carried out: " + e);
            o.println("reproduce: " + reproduce);
            return 3;
        }
        printVerdict(o, result, reproduce);
        return result.ok() ? 0 : 1;
    }

    static void printVerdict(PrintStream o, ChaosRun.Result r, String reproduce) {
        CheckReport c = r.report();
        if (!c.problems().isEmpty()) {
            o.println("problems:");
            c.problems().forEach(p -> o.println("  " + p));
        }
        r.unexpectedExits().forEach(p -> o.println("  process died by itself: " + p));
        List<String[]> rows = new ArrayList<>();
        rows.add(row("seed", Long.toString(r.settings().seed()), true));
        rows.add(row("duration", String.format("%.0fs (workload %s)", r.seconds(), format(r.settings().duration())), true));
        rows.add(row("kills by kind", r.kills().toString(),
                r.settings().targets().stream().allMatch(t -> r.kills().getOrDefault(t, 0) > 0)));
        List<String> points = Faults.allCrashPoints(r.settings().targets());
        rows.add(row("crash points hit", r.crashPointsHit() + (r.crashPointsMissed().isEmpty() ? "" : " missed " + r.crashPointsMissed()),
                points.stream().allMatch(r.crashPointsHit()::containsKey)));
        rows.add(row("processes died by themselves", Integer.toString(r.unexpectedExits().size()), r.unexpectedExits().isEmpty()));
        rows.add(row("commands acknowledged", Long.toString(c.acknowledged()), true));
        rows.add(row("commands failed (definite)", Long.toString(c.failed()), true));
        rows.add(row("commands unknown (applied)", c.unknown() + " (" + c.unknownApplied() + ")", true));
        rows.add(row("reads answered", Long.toString(c.reads()), true));
        rows.add(row("burst writes sent / in messages", r.burstBatching().writes() + " / " + r.burstBatching().messages()
                + String.format(" (%.1f per message)", r.burstBatching().writesPerMessage()), true));
        rows.add(row("queues drained", Boolean.toString(r.drained()), r.drained()));
        rows.add(row("merge converged", Boolean.toString(r.converged()), r.converged()));
        rows.add(row("clean stops (exit 0)", r.stopExitCodes().toString(),
                r.stopExitCodes().values().stream().allMatch(x -> x == 0)));
        rows.add(row("lost", Long.toString(c.lost()), c.lost() == 0));
        rows.add(row("doubled", Long.toString(c.doubled()), c.doubled() == 0));
        rows.add(row("applied at >1 replica", Long.toString(c.multiOrigin()), c.multiOrigin() == 0));
        rows.add(row("unexpected", Long.toString(c.unexpected()), c.unexpected() == 0));
        rows.add(row("session violations", c.sessionViolations() + " (client refusals " + c.refusedByClient() + ")",
                c.sessionViolations() == 0));
        rows.add(row("reads not matching their clock", Long.toString(c.readViolations()), c.readViolations() == 0));
        rows.add(row("dumps identical", Boolean.toString(c.dumpsIdentical()), c.dumpsIdentical()));
        rows.add(row("clocks equal", Boolean.toString(c.clocksEqual()), c.clocksEqual()));
        rows.add(row("dead letters expected / found", c.deadLettersExpected() + " / " + c.deadLettersFound()
                + " (missing " + c.deadLettersMissing() + ", foreign " + c.deadLettersForeign() + ", wrong reason "
                + c.deadLettersWrongReason() + ")",
                c.deadLettersMissing() == 0 && c.deadLettersForeign() == 0 && c.deadLettersWrongReason() == 0));
        o.println();
        o.printf("%-32s %-64s %s%n", "check", "value", "verdict");
        for (String[] row : rows) {
            o.printf("%-32s %-64s %s%n", row[0], row[1], row[2]);
        }
        o.println("VERDICT: " + (r.ok() ? "PASS" : "FAIL") + "   (run directory " + r.settings().out() + ")");
        o.println("reproduce: " + reproduce);
        o.flush();
    }

    private static String[] row(String name, String value, boolean ok) {
        return new String[] {name, value, ok ? "ok" : "FAIL"};
    }

    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@code chaos check --dir RUN}: re-runs the checker on a finished run's history and stopped stores. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a finished run's directory (history.jsonl, fuzz.json, data/<replica>) again.")
    static final class Check implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "the run directory (--out of the run)")
        Path dir;

        @Override
        public Integer call() throws Exception {
            CheckReport c = ChaosRun.recheck(dir);
            c.problems().forEach(p -> System.out.println("  " + p));
            Map<String, Object> rows = new LinkedHashMap<>();
            rows.put("acknowledged", c.acknowledged());
            rows.put("unknown (applied)", c.unknown() + " (" + c.unknownApplied() + ")");
            rows.put("lost", c.lost());
            rows.put("doubled", c.doubled());
            rows.put("applied at >1 replica", c.multiOrigin());
            rows.put("unexpected", c.unexpected());
            rows.put("session violations", c.sessionViolations());
            rows.put("reads not matching their clock", c.readViolations());
            rows.put("dumps identical", c.dumpsIdentical());
            rows.put("clocks equal", c.clocksEqual());
            rows.put("dead letters missing/foreign/wrong reason", c.deadLettersMissing() + "/" + c.deadLettersForeign() + "/"
                    + c.deadLettersWrongReason());
            rows.forEach((k, v) -> System.out.printf("%-32s %s%n", k, v));
            System.out.println("VERDICT: " + (c.ok() ? "PASS" : "FAIL"));
            return c.ok() ? 0 : 1;
        }
    }
}
