package fulcrum.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.cli.DurationConverter;
import fulcrum.common.cli.ExitCodes;
import fulcrum.core.protocol.ReplicaStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fulcrum-admin status}: what each replica announces on {@code fulcrum.status} (phase,
 * incarnation, applied vector, lag, published mark, compaction floors, conflicts, join progress),
 * and per queue its depth, unacknowledged messages and consumers. Changes nothing: it listens, it
 * declares queues passively, and it reads the management API.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows what every replica announces on fulcrum.status (phase, incarnation, applied vector, lag behind "
                + "the others, published mark, compaction floors, conflicts, join progress), and, for every queue of the "
                + "topology, its ready and unacknowledged messages and consumers, and which router/replicas appear to be running"
                + " (with --health, what each one's /health endpoint answers).",
                "Exit 0; 3 when the broker is unreachable; 2 on a bad command line."})
public final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Mixin
    ReplicaCountOption replicas;

    @Option(names = "--json", description = "Print one JSON object instead of tables.")
    boolean json;

    @Option(names = "--listen", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to listen for the replicas' announcements; stops as soon as every replica announced "
                    + "(they announce on every change and every status interval, 3s by default) (default: 5s).")
    Duration listen = Duration.ofSeconds(5);

    @Option(names = "--management-url", paramLabel = "URL",
            description = "RabbitMQ management API, for the unacknowledged counts (default: http://<host of --uri>:15672; "
                    + "the user and password of --uri).")
    String managementUrl;

    @Option(names = "--no-management", description = "Do not ask the management API (no unacknowledged counts).")
    boolean noManagement;

    @Option(names = "--health", paramLabel = "NAME=URL",
            description = "A component's health endpoint (e.g. fulcrum-1=http://127.0.0.1:9471/health), asked and shown with "
                    + "the component (UP, DOWN with the daemon's reason, or UNREACHABLE); repeatable. NAME: mos-eisley or "
                    + "a replica id.")
    Map<String, String> health = new LinkedHashMap<>();

    /** How long a health endpoint may take to answer. */
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

    @Override
    public Integer call() throws BrokerUnreachableException, IOException, InterruptedException {
        List<String> replicaIds = replicas.ids(spec);
        if (listen.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen must not be negative");
        }
        try {
            Amqp.factory(broker.uri());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--uri: " + e.getMessage());
        }
        String management = null;
        if (!noManagement) {
            try {
                management = ManagementApi.validate(managementUrl != null ? managementUrl : ManagementApi.defaultUrl(broker.uri()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--management-url: " + e.getMessage());
            }
        }
        List<String> componentNames = new ArrayList<>(List.of(StatusProbe.ROUTER));
        componentNames.addAll(replicaIds);
        for (Map.Entry<String, String> h : health.entrySet()) {
            if (!componentNames.contains(h.getKey())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--health " + h.getKey() + "=...: not a component (one of "
                        + String.join(", ", componentNames) + ")");
            }
            try {
                HealthCheck.validate(h.getValue());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--health " + h.getKey() + ": " + e.getMessage());
            }
        }
        Connection connection = broker.connect("fulcrum-admin-status");
        StatusProbe.Report report;
        try {
            report = probe(connection, replicaIds, management);
        } finally {
            connection.abort(2000);
        }
        Map<String, HealthCheck.Answer> healthAnswers = HealthCheck.check(health, HEALTH_TIMEOUT);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(report, healthAnswers));
        } else {
            printText(out, report, listen, healthAnswers);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private StatusProbe.Report probe(Connection connection, List<String> replicaIds, String management)
            throws IOException, InterruptedException {
        Map<String, ReplicaStatus> latest = new TreeMap<>();
        boolean listened = true;
        int unreadable = 0;
        try (StatusListener listener = StatusListener.open(connection, true)) {
            long deadline = System.nanoTime() + listen.toNanos();
            while (!latest.keySet().containsAll(replicaIds)) {
                ReplicaStatus s = listener.poll(deadline - System.nanoTime());
                if (s == null) {
                    break; // listened long enough
                }
                if (replicaIds.contains(s.replica())) {
                    latest.put(s.replica(), s);
                }
            }
            unreadable = listener.unreadable();
        } catch (ClusterUnavailableException e) {
            listened = false; // fulcrum.status is missing: the queues below tell the rest
        }
        ManagementApi.Answer answer = management == null ? null
                : ManagementApi.queues(management, broker.uri(), Duration.ofSeconds(Math.max(1, broker.connectTimeoutSeconds)));
        List<StatusProbe.QueueState> queues = StatusProbe.probeQueues(connection, replicaIds, answer);
        return new StatusProbe.Report(Amqp.redact(broker.uri()), replicaIds.size(), replicaIds, latest,
                listened, unreadable, queues, StatusProbe.components(replicaIds, queues, latest), answer);
    }

    static void printText(PrintWriter out, StatusProbe.Report report, Duration listen, Map<String, HealthCheck.Answer> health) {
        out.println("broker: " + report.broker());
        List<String> origins = Format.origins(report.replicaIds(), report.replicaStatus().values());
        Map<String, Long> target = Convergence.target(report.replicaStatus().values());
        String o = "[" + String.join(",", origins) + "]";
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"REPLICA", "PHASE", "INCARNATION", "APPLIED " + o, "LAG " + o, "PUBLISHED", "COMPACTED " + o,
                "CONFLICTS", "JOIN"});
        for (String id : report.replicaIds()) {
            ReplicaStatus s = report.replicaStatus().get(id);
            if (s == null) {
                String why = report.listened() ? "no announcement within " + Format.human(listen)
                        : "fulcrum.status does not exist";
                rows.add(new String[] {id, "-", "-", "-", "-", "-", "-", "-", why});
                continue;
            }
            rows.add(new String[] {id, s.phase().name(), Long.toString(s.incarnation()), Format.vector(s.applied(), origins),
                    Format.vector(lag(s, target), origins), Long.toString(s.published()), Format.vector(s.compacted(), origins),
                    Format.conflicts(s.conflicts()), Format.join(s.join())});
        }
        Format.table(out, rows);
        out.println();

        List<String[]> queueRows = new ArrayList<>();
        queueRows.add(new String[] {"QUEUE", "READY", "UNACKED", "CONSUMERS"});
        for (StatusProbe.QueueState q : report.queues()) {
            if (q.exists()) {
                queueRows.add(new String[] {q.name(), Long.toString(q.ready()), q.unacked() == null ? "?" : Long.toString(q.unacked()),
                        Long.toString(q.consumers())});
            } else {
                queueRows.add(new String[] {q.name(), q.error() == null ? "MISSING" : "ERROR " + q.error(), "", ""});
            }
        }
        Format.table(out, queueRows);
        ManagementApi.Answer m = report.management();
        if (m == null) {
            out.println("unacked: not asked (--no-management)");
        } else if (!m.ok()) {
            out.println("unacked: unknown, the management API at " + m.url() + " " + m.error());
        } else {
            out.println("unacked: from the management API at " + m.url() + " (statistics, refreshed every few seconds)");
        }
        out.println();

        List<String[]> componentRows = new ArrayList<>();
        boolean withHealth = !health.isEmpty();
        componentRows.add(withHealth ? new String[] {"COMPONENT", "ROLE", "STATE", "CONSUMERS", "HEALTH"}
                : new String[] {"COMPONENT", "ROLE", "STATE", "CONSUMERS"});
        for (StatusProbe.ComponentState c : report.components()) {
            String consumers = c.queues().stream()
                    .map(q -> q.name() + "=" + (q.exists() ? Long.toString(q.consumers()) : "missing"))
                    .collect(Collectors.joining(" "));
            HealthCheck.Answer h = health.get(c.name());
            componentRows.add(withHealth ? new String[] {c.name(), c.role(), c.state(), consumers, h == null ? "-"
                    : h.text() + " " + h.url()} : new String[] {c.name(), c.role(), c.state(), consumers});
        }
        Format.table(out, componentRows);
    }

    /** Per origin, the highest anyone announced minus what {@code s} applied (0 when it is not behind). */
    static Map<String, Long> lag(ReplicaStatus s, Map<String, Long> target) {
        Map<String, Long> lag = new LinkedHashMap<>();
        target.forEach((origin, max) -> lag.put(origin, Math.max(0, max - s.applied().getOrDefault(origin, 0L))));
        return lag;
    }

    static String toJson(StatusProbe.Report report, Map<String, HealthCheck.Answer> health) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("broker", report.broker());
        root.put("replicas", report.replicas());
        Map<String, Long> target = Convergence.target(report.replicaStatus().values());
        ArrayNode replicaNodes = root.putArray("replicaStatus");
        for (String id : report.replicaIds()) {
            ObjectNode n = replicaNodes.addObject();
            ReplicaStatus s = report.replicaStatus().get(id);
            n.put("replica", id);
            n.put("announced", s != null);
            if (s != null) {
                Format.status(n, s, mapper);
                n.set("lag", mapper.valueToTree(new TreeMap<>(lag(s, target))));
            }
        }
        root.put("statusListened", report.listened());
        root.put("unreadableAnnouncements", report.unreadableAnnouncements());
        ArrayNode queues = root.putArray("queues");
        for (StatusProbe.QueueState q : report.queues()) {
            ObjectNode n = queues.addObject();
            n.put("name", q.name());
            n.put("exists", q.exists());
            if (q.exists()) {
                n.put("ready", q.ready());
                if (q.unacked() == null) {
                    n.putNull("unacked");
                } else {
                    n.put("unacked", q.unacked());
                }
                n.put("consumers", q.consumers());
            }
            if (q.error() != null) {
                n.put("error", q.error());
            }
        }
        ManagementApi.Answer m = report.management();
        ObjectNode mgmt = root.putObject("management");
        mgmt.put("asked", m != null);
        if (m != null) {
            mgmt.put("url", m.url());
            if (m.error() != null) {
                mgmt.put("error", m.error());
            }
        }
        ArrayNode components = root.putArray("components");
        for (StatusProbe.ComponentState c : report.components()) {
            ObjectNode n = components.addObject();
            n.put("name", c.name());
            n.put("role", c.role());
            n.put("state", c.state());
            n.put("consuming", c.consuming());
            HealthCheck.Answer h = health.get(c.name());
            if (h == null) {
                n.putNull("health");
            } else {
                ObjectNode hn = n.putObject("health");
                hn.put("url", h.url());
                hn.put("state", h.state());
                if (h.httpStatus() == null) {
                    hn.putNull("httpStatus");
                } else {
                    hn.put("httpStatus", h.httpStatus());
                }
                hn.put("detail", h.detail());
            }
            ObjectNode consumers = n.putObject("consumers");
            c.queues().forEach(q -> {
                if (q.exists()) {
                    consumers.put(q.name(), q.consumers());
                } else {
                    consumers.putNull(q.name());
                }
            });
        }
        return mapper.writeValueAsString(root);
    }
}
