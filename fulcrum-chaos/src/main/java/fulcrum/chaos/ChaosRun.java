package fulcrum.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import fulcrum.admin.MergeRound;
import fulcrum.chaos.check.CheckReport;
import fulcrum.chaos.check.Checker;
import fulcrum.chaos.check.DeadLetter;
import fulcrum.chaos.check.FinalReplica;
import fulcrum.chaos.check.FuzzLedger;
import fulcrum.chaos.check.StoreReader;
import fulcrum.chaos.history.HistoryRecorder;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.client.WriteBatching;
import fulcrum.common.topology.Topology;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** One chaos run: cluster, workload, fuzzer and faults; then quiesce, merge, stop, check. */
final class ChaosRun {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final int REPLICAS = 3;

    /**
     * @param targets     what the fault schedule hits ({@link Faults#KINDS})
     * @param fuzz        where the fuzzer sends bad input
     * @param replication the workers' {@code --replication}: {@code eager} (their default; an
     *                    acknowledged write survives a wiped disk) or {@code interval} (the seed's: it
     *                    does not, and a run with wipes is expected to find lost writes)
     */
    record Settings(Duration duration, long seed, double rate, Duration killMin, Duration killMax, List<String> targets,
                    Set<FuzzCases.Route> fuzz, Path out, int informants, int leias, String replication) {
        Settings(Duration duration, long seed, double rate, Duration killMin, Duration killMax, List<String> targets,
                 Set<FuzzCases.Route> fuzz, Path out, int informants, int leias) {
            this(duration, seed, rate, killMin, killMax, targets, fuzz, out, informants, leias, "eager");
        }
    }

    /** Everything the verdict table shows. */
    record Result(Settings settings, double seconds, Map<String, Integer> kills, Map<String, Integer> crashPointsHit,
                  List<String> crashPointsMissed, List<String> unexpectedExits, boolean drained, boolean converged,
                  Map<String, Integer> stopExitCodes, CheckReport report, WriteBatching burstBatching) {
        boolean ok() {
            boolean allPointsHit = Faults.allCrashPoints(settings.targets()).stream().allMatch(crashPointsHit::containsKey);
            boolean allKinds = settings.targets().stream().allMatch(t -> kills.getOrDefault(t, 0) > 0);
            boolean cleanStops = stopExitCodes.values().stream().allMatch(c -> c == 0);
            return report.ok() && allPointsHit && allKinds && unexpectedExits.isEmpty() && drained && converged
                    && cleanStops;
        }
    }

    private final Settings s;
    private final PrintStream out;

    ChaosRun(Settings settings, PrintStream out) {
        this.s = settings;
        this.out = out;
    }

    Result run() throws Exception {
        Files.createDirectories(s.out());
        long start = System.nanoTime();
        // eager replication (the workers' default, named so that a changed default cannot weaken the
        // run): an acknowledged write is in every peer's merge queue, so it survives a wiped disk
        List<String> workerArgs = List.of("--replication", s.replication(), "--merge-interval", "2s", "--status-interval", "500ms");
        try (Cluster cluster = new Cluster(s.out(), REPLICAS, workerArgs);
             HistoryRecorder history = new HistoryRecorder(s.out().resolve("history.jsonl"))) {
            say("starting a private RabbitMQ node under " + s.out().resolve("rabbitmq"));
            cluster.startBroker();
            for (String c : cluster.components()) {
                cluster.start(c, null);
            }
            say("cluster up: router + " + REPLICAS + " workers; workload at " + s.rate() + " ops/s for " + s.duration());
            Workload workload = new Workload(cluster.uri(), history, s.seed(), s.informants(), s.leias(), s.rate());
            Faults faults = new Faults(cluster, s.seed(), s.targets(), s.killMin(), s.killMax());
            Fuzzer fuzzer = new Fuzzer(cluster.uri(), s.seed(), cluster.replicaIds(), Duration.ofMillis(400), s.fuzz(),
                    faults::brokerKillsBegun);
            workload.start();
            fuzzer.start();
            faults.start();
            LockSupport.parkNanos(s.duration().toNanos()); // the run's length
            say("duration over: stopping faults (after the mandatory ones)");
            faults.stop();
            say("stopping the workload and the fuzzer");
            workload.stop();
            fuzzer.stop();
            faults.reviveUnexpectedlyDead();

            say("waiting until every queue is drained and nothing is unacked");
            boolean drained = awaitDrained(cluster, Duration.ofSeconds(180));
            boolean converged;
            try (Connection connection = Amqp.connect(cluster.uri(), "chaos-merge", Duration.ofSeconds(30))) {
                say("merge now, waiting for convergence on " + Topology.STATUS_EXCHANGE);
                MergeRound.Outcome outcome = MergeRound.run(connection, fulcrum.common.amqp.Amqp.userOf(cluster.uri()), cluster.replicaIds(), Duration.ofSeconds(120));
                converged = outcome.converged();
                say(converged ? "converged" : "NOT converged: " + outcome.verdict());
            }
            drained &= awaitDrained(cluster, Duration.ofSeconds(60));
            List<DeadLetter> deadLetters = drainDeadLetters(cluster);
            fuzzer.closeTap();

            Map<String, Integer> stopCodes = new LinkedHashMap<>();
            for (String c : cluster.components()) {
                stopCodes.put(c, cluster.stop(c));
            }
            List<FinalReplica> replicas = new ArrayList<>();
            for (String id : cluster.replicaIds()) {
                replicas.add(StoreReader.read(cluster.dataDir(id), cluster.replicaIds()));
            }
            FuzzLedger ledger = new FuzzLedger(fuzzer.sent(), fuzzer.expected(), fuzzer.reasons());
            Map<String, Object> fuzzRecord = new LinkedHashMap<>();
            fuzzRecord.put("sent", new TreeSet<>(ledger.sent()));
            fuzzRecord.put("confirmed", new TreeSet<>(fuzzer.confirmed()));
            fuzzRecord.put("expected", new TreeSet<>(ledger.expected()));
            fuzzRecord.put("mayBeLostWithTheBroker", fuzzer.mayBeLostWithTheBroker());
            fuzzRecord.put("reasons", new java.util.TreeMap<>(ledger.reasons()));
            fuzzRecord.put("deadLetters", deadLetters);
            Files.writeString(s.out().resolve("fuzz.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fuzzRecord));
            Files.write(s.out().resolve("faults.log"), faults.log);
            CheckReport report = Checker.check(history.events(), replicas, ledger, deadLetters);
            return new Result(s, (System.nanoTime() - start) / 1e9, faults.killsSorted(),
                    new java.util.TreeMap<>(faults.crashPointsHit), faults.crashPointsMissed, faults.unexpectedExits,
                    drained, converged, stopCodes, report, workload.burstBatching());
        }
    }

    /** Re-checks a finished run's directory: its history, fuzz record and stopped stores. */
    static CheckReport recheck(Path dir) throws IOException {
        List<String> ids = Topology.replicaIds(REPLICAS);
        List<FinalReplica> replicas = new ArrayList<>();
        for (String id : ids) {
            replicas.add(StoreReader.read(dir.resolve("data").resolve(id), ids));
        }
        com.fasterxml.jackson.databind.JsonNode fuzz = JSON.readTree(dir.resolve("fuzz.json").toFile());
        Set<String> sent = new HashSet<>(strings(fuzz.get("sent")));
        Set<String> expected = new HashSet<>(strings(fuzz.get("expected")));
        Map<String, String> reasons = new HashMap<>();
        fuzz.path("reasons").fields().forEachRemaining(e -> reasons.put(e.getKey(), e.getValue().asText()));
        List<DeadLetter> deadLetters = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode d : fuzz.get("deadLetters")) {
            deadLetters.add(new DeadLetter(text(d, "fuzzId"), text(d, "code"), text(d, "reason"), text(d, "by")));
        }
        return Checker.check(HistoryRecorder.read(dir.resolve("history.jsonl")), replicas,
                new FuzzLedger(sent, expected, reasons), deadLetters);
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode node, String field) {
        com.fasterxml.jackson.databind.JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> strings(com.fasterxml.jackson.databind.JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    private boolean awaitDrained(Cluster cluster, Duration timeout) {
        Set<String> watched = new HashSet<>(List.of(Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES));
        for (String id : cluster.replicaIds()) {
            watched.add(Topology.replicaCommandQueue(id));
            watched.add(Topology.replicaMergeQueue(id));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int quietPolls = 0;
        String last = "";
        while (System.nanoTime() < deadline) {
            String table;
            try {
                table = cluster.node().rabbitmqctl("list_queues", "-q", "--no-table-headers", "name", "messages_ready",
                        "messages_unacknowledged");
            } catch (RuntimeException e) {
                table = "";
            }
            boolean quiet = !table.isBlank();
            StringBuilder busy = new StringBuilder();
            for (String line : table.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && watched.contains(f[0]) && !(f[1].equals("0") && f[2].equals("0"))) {
                    quiet = false;
                    busy.append(' ').append(f[0]).append(" ready=").append(f[1]).append(" unacked=").append(f[2]);
                }
            }
            last = busy.toString();
            quietPolls = quiet ? quietPolls + 1 : 0;
            if (quietPolls >= 2) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
        say("queues still busy after " + timeout + ":" + last);
        return false;
    }

    /** Takes every message out of the dead-letter queue; writes them to dead-letters.tsv as well. */
    private List<DeadLetter> drainDeadLetters(Cluster cluster) throws Exception {
        List<DeadLetter> out = new ArrayList<>();
        try (Connection connection = Amqp.connect(cluster.uri(), "chaos-dead-letters", Duration.ofSeconds(30))) {
            Channel ch = connection.createChannel();
            GetResponse r;
            List<String> lines = new ArrayList<>();
            lines.add("fuzz id\tcode\treason\tsource queue\tdead-lettered by\tmessage id");
            while ((r = ch.basicGet(Topology.DEAD_LETTER_QUEUE, true)) != null) {
                Map<String, Object> h = r.getProps().getHeaders() == null ? Map.of() : r.getProps().getHeaders();
                DeadLetter d = new DeadLetter(header(h, Fuzzer.HEADER), header(h, Amqp.HEADER_ERROR_CODE),
                        header(h, Amqp.HEADER_ERROR_REASON), header(h, Amqp.HEADER_DEAD_LETTERED_BY));
                out.add(d);
                lines.add(d.fuzzId() + "\t" + d.code() + "\t" + String.valueOf(d.reason()).replaceAll("\\s+", " ") + "\t"
                        + header(h, Amqp.HEADER_SOURCE_QUEUE) + "\t" + d.by() + "\t" + r.getProps().getMessageId());
            }
            Files.write(s.out().resolve("dead-letters.tsv"), lines);
        }
        return out;
    }

    private static String header(Map<String, Object> headers, String name) {
        Object v = headers.get(name);
        return v == null ? null : v.toString();
    }

    private void say(String line) {
        out.println("chaos: " + line);
        out.flush();
    }
}
