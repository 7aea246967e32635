package fulcrum.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import fulcrum.common.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum-admin status}: queue depths and consumers, and which components appear to consume. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows, for every queue of the topology, its ready messages and consumers, and which "
                + "router/replicas appear to be consuming.",
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

    @Override
    public Integer call() throws BrokerUnreachableException, IOException {
        List<String> replicaIds = replicas.ids(spec);
        StatusProbe.Report report;
        Connection connection;
        try {
            connection = broker.connect("fulcrum-admin-status");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--uri: " + e.getMessage());
        }
        try {
            report = StatusProbe.probe(connection, broker.uri(), replicaIds);
        } finally {
            connection.abort(2000);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(report));
        } else {
            printText(out, report);
        }
        out.flush();
        return ExitCodes.OK;
    }

    static void printText(PrintWriter out, StatusProbe.Report report) {
        out.println("broker: " + report.broker());
        int width = Math.max("QUEUE".length(),
                report.queues().stream().mapToInt(q -> q.name().length()).max().orElse(0));
        out.printf("%-" + width + "s  %9s  %9s%n", "QUEUE", "READY", "CONSUMERS");
        for (StatusProbe.QueueState q : report.queues()) {
            if (q.exists()) {
                out.printf("%-" + width + "s  %9d  %9d%n", q.name(), q.ready(), q.consumers());
            } else {
                out.printf("%-" + width + "s  %s%n", q.name(), q.error() == null ? "MISSING" : "ERROR " + q.error());
            }
        }
        int nameWidth = Math.max("COMPONENT".length(),
                report.components().stream().mapToInt(c -> c.name().length()).max().orElse(0));
        out.printf("%-" + nameWidth + "s  %-7s  %-16s  %s%n", "COMPONENT", "ROLE", "STATE", "CONSUMERS");
        for (StatusProbe.ComponentState c : report.components()) {
            String consumers = c.queues().stream()
                    .map(q -> q.name() + "=" + (q.exists() ? Long.toString(q.consumers()) : "missing"))
                    .collect(Collectors.joining(" "));
            out.printf("%-" + nameWidth + "s  %-7s  %-16s  %s%n", c.name(), c.role(), c.state(), consumers);
        }
    }

    static String toJson(StatusProbe.Report report) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("broker", report.broker());
        root.put("replicas", report.replicas());
        ArrayNode queues = root.putArray("queues");
        for (StatusProbe.QueueState q : report.queues()) {
            ObjectNode n = queues.addObject();
            n.put("name", q.name());
            n.put("exists", q.exists());
            if (q.exists()) {
                n.put("ready", q.ready());
                n.put("consumers", q.consumers());
            }
            if (q.error() != null) {
                n.put("error", q.error());
            }
        }
        ArrayNode components = root.putArray("components");
        for (StatusProbe.ComponentState c : report.components()) {
            ObjectNode n = components.addObject();
            n.put("name", c.name());
            n.put("role", c.role());
            n.put("state", c.state());
            n.put("consuming", c.consuming());
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
