package fulcrum.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import fulcrum.common.cli.DurationConverter;
import fulcrum.common.cli.ExitCodes;
import fulcrum.core.protocol.ReplicaStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum-admin merge}: asks every replica to publish and merge now, waits until they converge. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Publishes one MergeNow request to fulcrum.merge and waits until every replica fulcrum-1..N has "
                + "announced (on fulcrum.status, after the request) the same applied vector, as a serving replica "
                + "(a replica that joins is shown with its join progress).",
                "Exit 0 when converged; 3 when not converged within --timeout (the replicas that did not announce, "
                        + "do not serve yet or differ are named) or the broker/topology is unavailable; 2 on a bad command line."})
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
            outcome = MergeRound.run(connection, broker.user(), replicaIds, timeout);
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

    static String summary(Convergence.Verdict verdict, Duration timeout) {
        List<String> parts = new ArrayList<>();
        if (!verdict.silent().isEmpty()) {
            parts.add("no announcement from " + String.join(", ", verdict.silent()));
        }
        if (!verdict.notServing().isEmpty()) {
            parts.add("not serving yet: " + verdict.notServing().values().stream()
                    .map(s -> s.replica() + " (" + s.phase().name().toLowerCase() + ")").collect(Collectors.joining(", ")));
        }
        if (!verdict.differing().isEmpty()) {
            parts.add("applied vectors differ: " + String.join(", ", verdict.differing().keySet()));
        }
        return "not converged within " + Format.human(timeout) + " (" + String.join("; ", parts) + ")";
    }

    static void printText(PrintWriter out, MergeRound.Outcome outcome, Duration timeout) {
        Convergence.Verdict verdict = outcome.verdict();
        List<String> origins = Format.origins(verdict.expected(), outcome.latest().values());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"REPLICA", "PHASE", "APPLIED [" + String.join(",", origins) + "]", "PUBLISHED", "CONFLICTS", "STATE"});
        for (String id : verdict.expected()) {
            ReplicaStatus s = outcome.latest().get(id);
            if (s == null) {
                rows.add(new String[] {id, "-", "-", "-", "-", "NO ANNOUNCEMENT"});
                continue;
            }
            String state = verdict.notServing().containsKey(id) ? "JOINING"
                    : verdict.differing().containsKey(id) ? "DIFFERS" : "ok";
            rows.add(new String[] {id, s.phase().name(), Format.vector(s.applied(), origins), Long.toString(s.published()),
                    Format.conflicts(s.conflicts()), state});
        }
        Format.table(out, rows);
        if (outcome.converged()) {
            out.println("converged");
            return;
        }
        out.println("NOT converged within " + Format.human(timeout) + ":");
        for (String id : verdict.silent()) {
            out.println("  " + id + ": no announcement after the merge request");
        }
        verdict.notServing().forEach((id, s) ->
                out.println("  " + id + ": " + s.phase().name().toLowerCase() + ", not serving yet (" + Format.join(s.join()) + ")"));
        verdict.lags().forEach((id, lags) -> {
            String behind = lags.stream().map(l -> l.origin() + " " + l.applied() + "<" + l.target())
                    .collect(Collectors.joining(", "));
            out.println("  " + id + ": applied " + Format.vector(verdict.differing().get(id), origins) + ", target "
                    + Format.vector(verdict.target(), origins) + (behind.isEmpty() ? "" : " (behind: " + behind + ")"));
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
        root.put("announcements", outcome.announcements());
        root.put("unreadableAnnouncements", outcome.unreadable());
        root.set("target", mapper.valueToTree(verdict.target()));
        ArrayNode replicas = root.putArray("replicas");
        for (String id : verdict.expected()) {
            ObjectNode n = replicas.addObject();
            ReplicaStatus s = outcome.latest().get(id);
            n.put("replica", id);
            n.put("announced", s != null);
            if (s != null) {
                Format.status(n, s, mapper);
                n.put("serving", !verdict.notServing().containsKey(id));
                n.put("differs", verdict.differing().containsKey(id));
                if (verdict.lags().containsKey(id)) {
                    n.set("behind", mapper.valueToTree(verdict.lags().get(id)));
                }
            }
        }
        root.set("silent", mapper.valueToTree(verdict.silent()));
        root.set("notServing", mapper.valueToTree(List.copyOf(verdict.notServing().keySet())));
        root.set("differing", mapper.valueToTree(List.copyOf(verdict.differing().keySet())));
        return mapper.writeValueAsString(root);
    }
}
