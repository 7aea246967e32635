package fulcrum.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bad inputs the fuzzer sends: commands (to the router's queue and, in turn, to a replica's),
 * forged replica traffic on the {@code fulcrum.merge} fanout and forged announcements on the
 * {@code fulcrum.status} fanout. Each case is invalid for one reason, so no replica may accept it.
 *
 * <p>Forged operations name planet {@value #PLANET}, which no client writes, and carry
 * {@code "incarnation":1} as the replicas' own operations do; an operation a replica wrongly accepted
 * would show as a planet nobody wrote.
 */
final class FuzzCases {
    static final String PLANET = "Fuzz";
    /** The largest merge or status body a replica accepts. */
    static final int MAX_REPLICA_BODY = 1 << 20;

    /** Where a case is published. */
    enum Route {
        /** to {@code mos-eisley.commands} and, every other round, to a replica's command queue */
        COMMAND,
        /** to the {@code fulcrum.merge} fanout: every replica gets a copy */
        MERGE,
        /** to the {@code fulcrum.status} fanout: every running replica gets a copy */
        STATUS
    }

    /**
     * @param type          the AMQP type
     * @param withMessageId whether the message has a message id
     * @param deadLettered  what a correct replica (or router) does with it: dead-letter it, with the
     *                      reason in {@code x-fulcrum-error-code} / {@code x-fulcrum-error-reason}
     */
    record Case(String name, Route route, String type, String body, boolean withMessageId, boolean deadLettered) {
    }

    private FuzzCases() {
    }

    static final List<Case> ALL = all();

    private static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // commands
        c.add(command("malformed", null, "{not json", true));
        c.add(command("not-an-object", null, "[1,2,3]", true));
        c.add(command("wrong-type", "UpdateNumber", "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":\"ten\"}", true));
        c.add(command("huge-value", "UpdateNumber", "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":123456789012345678901234567890}", true));
        c.add(command("huge-body", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"" + "x".repeat(20_000) + "\"}", true));
        c.add(command("unknown-operation", "Explode", "{\"command\":\"Explode\",\"planet\":\"Fuzz\",\"city\":\"x\"}", true));
        c.add(command("name-with-space", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz planet\",\"city\":\"x\",\"rebels\":1}", true));
        c.add(command("name-too-long", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"" + "y".repeat(65) + "\",\"rebels\":1}", true));
        c.add(command("negative-count", "UpdateNumber", "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":-5}", true));
        c.add(command("unknown-field", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\",\"color\":\"red\"}", true));
        c.add(command("type-mismatch", "DeleteCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\"}", true));
        c.add(command("no-message-id", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":1}", false));
        // replica traffic on fulcrum.merge
        c.add(merge("merge-malformed", "MergeDelta", "{\"origin\":\"fulcrum-1\",\"operations\":["));
        c.add(merge("merge-not-an-object", "MergeDelta", "[1,2,3]"));
        c.add(merge("merge-unknown-type", "MergeBomb", delta("fulcrum-1", op())));
        c.add(merge("merge-oversized", "MergeDelta",
                delta("fulcrum-1", op()) + " ".repeat(MAX_REPLICA_BODY + 1024))); // valid JSON, too long
        c.add(merge("delta-origin-not-a-replica", "MergeDelta",
                delta("fulcrum-9", op().with("origin", "fulcrum-9").with("clock", clock(0, 0, 0, "fulcrum-9", 1)))));
        c.add(merge("delta-sequence-skips", "MergeDelta",
                delta("fulcrum-1", op().with("originSeq", 5), op().with("originSeq", 7).with("clock", clock(2, 0, 0, null, 0)))));
        c.add(merge("op-clock-entry-max", "MergeDelta",
                delta("fulcrum-1", op().with("clock", clock(1, Long.MAX_VALUE, 0, null, 0)))));
        c.add(merge("op-clock-unknown-replica", "MergeDelta",
                delta("fulcrum-1", op().with("clock", clock(1, 0, 0, "fulcrum-7", 1)))));
        c.add(merge("op-city-id-10000", "MergeDelta", delta("fulcrum-1", op().with("cityId", "c".repeat(10_000)))));
        c.add(merge("op-command-id-10000", "MergeDelta", delta("fulcrum-1", op().with("commandId", "k".repeat(10_000)))));
        c.add(merge("op-negative-count", "MergeDelta", delta("fulcrum-1", op().with("rebels", -1))));
        c.add(merge("op-incarnation-0", "MergeDelta", delta("fulcrum-1", op().with("incarnation", 0))));
        c.add(merge("resend-from-seq-0", "ResendRequest",
                "{\"origin\":\"fulcrum-1\",\"fromSeq\":0,\"requester\":\"fulcrum-2\"}"));
        c.add(merge("resend-unknown-origin", "ResendRequest",
                "{\"origin\":\"fulcrum-9\",\"fromSeq\":1,\"requester\":\"fulcrum-2\"}"));
        // announcements on fulcrum.status
        c.add(status("status-unknown-replica",
                "{\"replica\":\"fulcrum-9\",\"applied\":" + clock(0, 0, 0, null, 0) + ",\"published\":0,\"conflicts\":{}}"));
        c.add(status("status-applied-10^15",
                "{\"replica\":\"fulcrum-2\",\"applied\":" + clock(1_000_000_000_000_000L, 0, 0, null, 0)
                        + ",\"published\":0,\"conflicts\":{}}"));
        return List.copyOf(c);
    }

    private static Case command(String name, String type, String body, boolean withMessageId) {
        return new Case(name, Route.COMMAND, type, body, withMessageId, true);
    }

    private static Case merge(String name, String type, String body) {
        return new Case(name, Route.MERGE, type, body, true, true);
    }

    private static Case status(String name, String body) {
        return new Case(name, Route.STATUS, "ReplicaStatus", body, true, true);
    }

    /** An operation as a replica ships it, with one field to be made invalid by {@link Op#with}. */
    record Op(Map<String, Object> fields) {
        Op with(String field, Object value) {
            Map<String, Object> next = new java.util.LinkedHashMap<>(fields);
            next.put(field, value);
            return new Op(next);
        }

        String json() {
            StringBuilder sb = new StringBuilder("{");
            fields.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":")
                    .append(v instanceof String s && !s.startsWith("{") ? "\"" + s + "\"" : String.valueOf(v)));
            return sb.append('}').toString();
        }
    }

    /** A valid AddCity of fulcrum-1's first operation, on planet {@value #PLANET}. */
    static Op op() {
        Map<String, Object> f = new java.util.LinkedHashMap<>();
        f.put("origin", "fulcrum-1");
        f.put("originSeq", 1);
        f.put("planet", PLANET);
        f.put("kind", "AddCity");
        f.put("cityId", "fulcrum-1:1");
        f.put("name", "fuzz");
        f.put("rebels", 1);
        f.put("clock", clock(1, 0, 0, null, 0));
        f.put("commandId", "chaos-fuzz-op");
        f.put("incarnation", 1);
        return new Op(f);
    }

    static String delta(String origin, Op... ops) {
        StringBuilder sb = new StringBuilder("{\"origin\":\"").append(origin).append("\",\"operations\":[");
        for (int i = 0; i < ops.length; i++) {
            sb.append(i > 0 ? "," : "").append(ops[i].json());
        }
        return sb.append("]}").toString();
    }

    /** A clock of fulcrum-1..3, plus one more entry when {@code extra} is not null. */
    static String clock(long a, long b, long c, String extra, long extraValue) {
        return "{\"fulcrum-1\":" + a + ",\"fulcrum-2\":" + b + ",\"fulcrum-3\":" + c
                + (extra == null ? "" : ",\"" + extra + "\":" + extraValue) + "}";
    }
}
