package fulcrum.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import fulcrum.common.cli.DurationConverter;
import fulcrum.common.cli.ExitCodes;
import fulcrum.common.wire.MergeMessages;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum-admin merge}: asks every replica to publish and merge now, waits until they converge. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Publishes one MergeNow request to fulcrum.merge and waits until every replica fulcrum-1..N has "
                + "announced (on fulcrum.status, after the request) the same applied vector.",
                "Exit 0 when converged; 3 when not converged within --timeout (the replicas that did not announce or "
                        + "differ are named) or the broker/topology is unavailable; 2 on a bad command line."})
public final class MergeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Mixin
    ReplicaCountOption replicas;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for convergence, e.g. 500ms, 60s, 2m (default: 60s).")
    Duration timeout = Duration.ofSeconds(60);

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws BrokerUnreachableException, ClusterUnavailableException, IOException, InterruptedException {
        List<String> replicaIds = replicas.ids(spec);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive");
        }
        Connection connection;
        try {
            connection = broker.connect("fulcrum-admin-merge");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--uri: " + e.getMessage());
        }
        MergeRound.Outcome outcome;
        try {
            outcome = MergeRound.run(connection, replicaIds, timeout);
        } finally {
            connection.abort(2000);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(outcome, timeout));
        } else {
            printText(out, outcome, timeout);
        }
        out.flush();
        if (outcome.converged()) {
            return ExitCodes.OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("fulcrum-admin: " + summary(outcome.verdict(), timeout));
        err.flush();
        return ExitCodes.UNAVAILABLE;
    }

    /** Origins in display order: the expected replicas, then any other origin seen, sorted. */
    static List<String> origins(Convergence.Verdict verdict, Map<String, MergeMessages.Status> latest) {
        List<String> origins = new ArrayList<>(verdict.expected());
        TreeSet<String> others = new TreeSet<>(verdict.target().keySet());
        latest.values().forEach(s -> others.addAll(s.applied().keySet()));
        others.removeAll(verdict.expected());
        origins.addAll(others);
        return origins;
    }

    /** {@code [3,5,0]} over {@code origins}; an origin missing from the vector is 0. */
    static String vector(Map<String, Long> applied, List<String> origins) {
        return origins.stream().map(o -> Long.toString(applied.getOrDefault(o, 0L)))
                .collect(Collectors.joining(",", "[", "]"));
    }

    static String conflicts(Map<String, Long> conflicts) {
        long total = conflicts.values().stream().mapToLong(Long::longValue).sum();
        if (conflicts.isEmpty()) {
            return "0";
        }
        return total + " (" + new java.util.TreeMap<>(conflicts).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")) + ")";
    }

    static String summary(Convergence.Verdict verdict, Duration timeout) {
        List<String> parts = new ArrayList<>();
        if (!verdict.silent().isEmpty()) {
            parts.add("no announcement from " + String.join(", ", verdict.silent()));
        }
        if (!verdict.differing().isEmpty()) {
            parts.add("applied vectors differ: " + String.join(", ", verdict.differing().keySet()));
        }
        return "not converged within " + human(timeout) + " (" + String.join("; ", parts) + ")";
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    static void printText(PrintWriter out, MergeRound.Outcome outcome, Duration timeout) {
        Convergence.Verdict verdict = outcome.verdict();
        List<String> origins = origins(verdict, outcome.latest());
        String vectorHeader = "APPLIED [" + String.join(",", origins) + "]";
        List<String[]> rows = new ArrayList<>();
        for (String id : verdict.expected()) {
            MergeMessages.Status s = outcome.latest().get(id);
            if (s == null) {
                rows.add(new String[] {id, "-", "-", "-", "NO ANNOUNCEMENT"});
            } else {
                rows.add(new String[] {id, vector(s.applied(), origins), Long.toString(s.published()),
                        conflicts(s.conflicts()), verdict.differing().containsKey(id) ? "DIFFERS" : "ok"});
            }
        }
        int w0 = Math.max("REPLICA".length(), rows.stream().mapToInt(r -> r[0].length()).max().orElse(0));
        int w1 = Math.max(vectorHeader.length(), rows.stream().mapToInt(r -> r[1].length()).max().orElse(0));
        int w3 = Math.max("CONFLICTS".length(), rows.stream().mapToInt(r -> r[3].length()).max().orElse(0));
        String format = "%-" + w0 + "s  %-" + w1 + "s  %9s  %-" + w3 + "s  %s%n";
        out.printf(format, "REPLICA", vectorHeader, "PUBLISHED", "CONFLICTS", "STATE");
        for (String[] r : rows) {
            out.printf(format, (Object[]) r);
        }
        if (outcome.converged()) {
            out.println("converged");
            return;
        }
        out.println("NOT converged within " + human(timeout) + ":");
        for (String id : verdict.silent()) {
            out.println("  " + id + ": no announcement after the merge request");
        }
        verdict.lags().forEach((id, lags) -> {
            String behind = lags.stream().map(l -> l.origin() + " " + l.applied() + "<" + l.target())
                    .collect(Collectors.joining(", "));
            out.println("  " + id + ": applied " + vector(verdict.differing().get(id), origins) + ", target "
                    + vector(verdict.target(), origins) + (behind.isEmpty() ? "" : " (behind: " + behind + ")"));
        });
    }

    static String toJson(MergeRound.Outcome outcome, Duration timeout) throws IOException {
        Convergence.Verdict verdict = outcome.verdict();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("converged", outcome.converged());
        root.put("requestId", outcome.requestId());
        root.put("timeoutMillis", timeout.toMillis());
        root.put("elapsedMillis", outcome.elapsed().toMillis());
        root.set("target", mapper.valueToTree(verdict.target()));
        ArrayNode replicas = root.putArray("replicas");
        for (String id : verdict.expected()) {
            ObjectNode n = replicas.addObject();
            MergeMessages.Status s = outcome.latest().get(id);
            n.put("replica", id);
            n.put("announced", s != null);
            if (s != null) {
                n.set("applied", mapper.valueToTree(new java.util.TreeMap<>(s.applied())));
                n.put("published", s.published());
                n.set("conflicts", mapper.valueToTree(new java.util.TreeMap<>(s.conflicts())));
                n.put("differs", verdict.differing().containsKey(id));
                if (verdict.lags().containsKey(id)) {
                    n.set("behind", mapper.valueToTree(verdict.lags().get(id)));
                }
            }
        }
        root.set("silent", mapper.valueToTree(verdict.silent()));
        root.set("differing", mapper.valueToTree(List.copyOf(verdict.differing().keySet())));
        return mapper.writeValueAsString(root);
    }
}
