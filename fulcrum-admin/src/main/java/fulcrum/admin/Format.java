package fulcrum.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fulcrum.core.protocol.ReplicaStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** How the admin commands print what replicas announced: vectors, conflicts, join progress, tables. */
final class Format {
    private Format() {
    }

    /** Origins in display order: the expected replicas, then any other origin seen, sorted. */
    static List<String> origins(List<String> expected, Collection<ReplicaStatus> announced) {
        List<String> origins = new ArrayList<>(expected);
        TreeSet<String> others = new TreeSet<>();
        announced.forEach(s -> {
            others.addAll(s.applied().keySet());
            others.addAll(s.compacted().keySet());
        });
        others.removeAll(expected);
        origins.addAll(others);
        return origins;
    }

    /** {@code [3,5,0]} over {@code origins}; an origin missing from the vector is 0. */
    static String vector(Map<String, Long> values, List<String> origins) {
        return origins.stream().map(o -> Long.toString(values.getOrDefault(o, 0L)))
                .collect(Collectors.joining(",", "[", "]"));
    }

    static String conflicts(Map<String, Long> conflicts) {
        if (conflicts.isEmpty()) {
            return "0";
        }
        long total = conflicts.values().stream().mapToLong(Long::longValue).sum();
        return total + " (" + new TreeMap<>(conflicts).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")) + ")";
    }

    /** e.g. {@code copying from fulcrum-1: 3 pages, 1200 items; own stream held to #41}; "-" when not joining. */
    static String join(ReplicaStatus.JoinProgress join) {
        if (join == null) {
            return "-";
        }
        return join.stage() + (join.source() == null ? "" : " from " + join.source()) + ": " + join.pages() + " page(s), "
                + join.items() + " item(s); own stream held to #" + join.ownHeld();
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** What one announcement says, as JSON (the fields both merge and status print). */
    static void status(ObjectNode n, ReplicaStatus s, ObjectMapper mapper) {
        n.put("phase", s.phase().name());
        n.put("incarnation", s.incarnation());
        n.set("applied", mapper.valueToTree(new TreeMap<>(s.applied())));
        n.put("published", s.published());
        n.set("compacted", mapper.valueToTree(new TreeMap<>(s.compacted())));
        n.set("conflicts", mapper.valueToTree(new TreeMap<>(s.conflicts())));
        if (s.join() == null) {
            n.putNull("join");
        } else {
            ObjectNode j = n.putObject("join");
            j.put("stage", s.join().stage());
            if (s.join().source() == null) {
                j.putNull("source");
            } else {
                j.put("source", s.join().source());
            }
            j.put("pages", s.join().pages());
            j.put("items", s.join().items());
            j.put("ownHeld", s.join().ownHeld());
        }
    }

    /** Prints rows as columns padded to their widest cell (the last column is not padded). */
    static void table(java.io.PrintWriter out, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                line.append(i == columns - 1 ? r[i] : String.format("%-" + width[i] + "s", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
