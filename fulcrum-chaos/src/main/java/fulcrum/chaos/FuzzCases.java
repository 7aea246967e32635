package fulcrum.chaos;

import fulcrum.common.wire.CommandCodec;
import fulcrum.common.wire.PeerCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The bad inputs the fuzzer sends: commands (to the router's queue and, in turn, to a replica's),
 * forged replica traffic on the {@code fulcrum.merge} fanout and forged announcements on the
 * {@code fulcrum.status} fanout. Each case is invalid for one reason, so no replica may accept it,
 * and {@link Case#reason()} says what the dead letter's {@code x-fulcrum-error-code} and
 * {@code x-fulcrum-error-reason} must show (the checker compares every dead letter with it).
 *
 * <p>Forged operations are what a replica ships, the new {@code Operation} JSON with its
 * {@code "incarnation":1}, but for the one field the case's name says; they name planet
 * {@value #PLANET}, which no client writes, so an operation a replica wrongly accepted would show as
 * a planet nobody wrote. Forged statuses have every field of {@code ReplicaStatus}.
 */
final class FuzzCases {
    static final String PLANET = "Fuzz";
    private static final String REPLICAS = "is not one of \\[fulcrum-1, fulcrum-2, fulcrum-3\\]";

    /** Where a case is published. */
    enum Route {
        /** to {@code mos-eisley.commands} and, every other round, to a replica's command queue */
        COMMAND,
        /** to the {@code fulcrum.merge} fanout: every replica's merge queue gets a copy */
        MERGE,
        /** to the {@code fulcrum.status} fanout: every running replica gets a copy */
        STATUS
    }

    /**
     * @param type          the AMQP type
     * @param withMessageId whether the message has a message id
     * @param reason        found in {@code "<error code> <error reason>"} of every dead letter of the case
     *                      (a replica, or the router, dead-letters it, and it must be for this reason)
     * @param once          sent once per run only (a body of megabytes)
     */
    record Case(String name, Route route, String type, String body, boolean withMessageId, Pattern reason, boolean once) {
    }

    private FuzzCases() {
    }

    static final List<Case> ALL = all();

    private static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // commands
        c.add(command("malformed", null, "{not json", "^BAD_MESSAGE body is not valid JSON"));
        c.add(command("not-an-object", null, "[1,2,3]", "^BAD_MESSAGE body must be a JSON object"));
        c.add(command("wrong-type", "UpdateNumber", "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":\"ten\"}",
                "^BAD_MESSAGE field 'rebels' must be a whole number"));
        c.add(command("huge-value", "UpdateNumber",
                "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":123456789012345678901234567890}",
                "^BAD_MESSAGE field 'rebels' must be a whole number that fits in 64 bits"));
        c.add(command("huge-body", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"" + "x".repeat(20_000) + "\"}",
                "^BAD_MESSAGE body of \\d+ bytes exceeds " + CommandCodec.MAX_BODY_BYTES));
        c.add(command("unknown-operation", "Explode", "{\"command\":\"Explode\",\"planet\":\"Fuzz\",\"city\":\"x\"}",
                "^UNKNOWN_COMMAND unknown command 'Explode'"));
        c.add(command("name-with-space", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz planet\",\"city\":\"x\",\"rebels\":1}",
                "^INVALID_ARGUMENT planet .*white ?space"));
        c.add(command("name-too-long", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"" + "y".repeat(65)
                + "\",\"rebels\":1}", "^INVALID_ARGUMENT city .*64"));
        c.add(command("negative-count", "UpdateNumber", "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":-5}",
                "^INVALID_ARGUMENT .*-5"));
        c.add(command("unknown-field", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\",\"color\":\"red\"}",
                "^BAD_MESSAGE unknown field 'color'"));
        c.add(command("type-mismatch", "DeleteCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\"}",
                "^BAD_MESSAGE AMQP type 'DeleteCity' does not match command 'AddCity'"));
        c.add(new Case("no-message-id", Route.COMMAND, "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":1}",
                false, Pattern.compile("^BAD_MESSAGE message has no message_id"), false));

        // replica traffic on fulcrum.merge
        c.add(merge("merge-malformed", "MergeDelta", "{\"origin\":\"fulcrum-1\",\"operations\":[", "^BAD_MESSAGE invalid MergeDelta: "));
        c.add(merge("merge-not-an-object", "MergeDelta", "[1,2,3]", "^BAD_MESSAGE invalid MergeDelta: "));
        c.add(merge("merge-unknown-type", "MergeBomb", delta("fulcrum-1", op()), "^UNKNOWN_COMMAND unknown merge message type 'MergeBomb'"));
        // valid JSON of a valid delta, padded beyond the bound: refused for its size alone
        c.add(new Case("merge-oversized", Route.MERGE, "MergeDelta",
                delta("fulcrum-1", op()) + " ".repeat(PeerCodec.MAX_MERGE_BODY_BYTES + 1024), true,
                Pattern.compile("^BAD_MESSAGE MergeDelta body of \\d+ bytes exceeds " + PeerCodec.MAX_MERGE_BODY_BYTES), true));
        c.add(merge("delta-origin-not-a-replica", "MergeDelta",
                delta("fulcrum-9", op().with("origin", "fulcrum-9").with("cityId", "fulcrum-9:1").with("clock", clock(0, 0, 0, "fulcrum-9", 1))),
                "^BAD_MESSAGE origin 'fulcrum-9' " + REPLICAS));
        c.add(merge("delta-sequence-skips", "MergeDelta", delta("fulcrum-1", op().at(5), op().at(7)),
                "^BAD_MESSAGE delta of fulcrum-1 skips from #5 to #7"));
        c.add(merge("op-clock-entry-max", "MergeDelta", delta("fulcrum-1", op().with("clock", clock(1, Long.MAX_VALUE, 0, null, 0))),
                "^BAD_MESSAGE entry fulcrum-1#1: clock entry fulcrum-2=" + Long.MAX_VALUE + " beyond 2\\^53"));
        c.add(merge("op-clock-unknown-replica", "MergeDelta", delta("fulcrum-1", op().with("clock", clock(1, 0, 0, "fulcrum-7", 1))),
                "^BAD_MESSAGE entry fulcrum-1#1: clock entry 'fulcrum-7' " + REPLICAS));
        // an UpdateNumber (an AddCity's city id is its own id, so a long one would fail for not being that)
        c.add(merge("op-city-id-10000", "MergeDelta", delta("fulcrum-1", op().with("kind", "UpdateNumber").without("name")
                .with("cityId", "c".repeat(10_000))), "^BAD_MESSAGE entry fulcrum-1#1: city id c+\\.\\.\\. is not <replica>:<seq>"));
        c.add(merge("op-command-id-10000", "MergeDelta", delta("fulcrum-1", op().with("commandId", "k".repeat(10_000))),
                "^BAD_MESSAGE entry fulcrum-1#1: commandId of 10000 characters"));
        c.add(merge("op-negative-count", "MergeDelta", delta("fulcrum-1", op().with("rebels", -1)),
                "^BAD_MESSAGE entry fulcrum-1#1: negative count -1"));
        c.add(merge("op-incarnation-0", "MergeDelta", delta("fulcrum-1", op().with("incarnation", 0)),
                "^BAD_MESSAGE invalid MergeDelta: .*incarnation is positive, got 0"));
        c.add(merge("resend-from-seq-0", "ResendRequest",
                "{\"origin\":\"fulcrum-1\",\"fromSeq\":0,\"requester\":\"fulcrum-2\",\"target\":\"fulcrum-1\"}",
                "^BAD_MESSAGE fromSeq 0 outside 1\\.\\.2\\^53"));
        c.add(merge("resend-unknown-origin", "ResendRequest",
                "{\"origin\":\"fulcrum-9\",\"fromSeq\":1,\"requester\":\"fulcrum-2\",\"target\":\"fulcrum-1\"}",
                "^BAD_MESSAGE origin 'fulcrum-9' " + REPLICAS));
        c.add(merge("join-request-unknown-replica", "JoinRequest",
                "{\"replica\":\"fulcrum-9\",\"incarnation\":5,\"requestId\":\"chaos-fuzz-join\"}",
                "^BAD_MESSAGE replica 'fulcrum-9' " + REPLICAS));
        c.add(merge("merge-now-without-request-id", "MergeNow", "{\"requestId\":\"\"}", "^BAD_MESSAGE requestId missing"));
        // a well-formed announcement, but on the merge queues, where no announcement belongs
        c.add(merge("status-on-the-merge-fanout", "ReplicaStatus", status("fulcrum-2", 1, clock(0, 0, 0, null, 0), 0),
                "^BAD_MESSAGE ReplicaStatus on the wrong queue"));

        // announcements on fulcrum.status
        c.add(status("status-not-json", "{\"replica\":", "^BAD_MESSAGE invalid ReplicaStatus: "));
        c.add(status("status-oversized", status("fulcrum-2", 1, clock(0, 0, 0, null, 0), 0)
                + " ".repeat(PeerCodec.MAX_STATUS_BODY_BYTES + 1024),
                "^BAD_MESSAGE ReplicaStatus body of \\d+ bytes exceeds " + PeerCodec.MAX_STATUS_BODY_BYTES));
        c.add(status("status-unknown-replica", status("fulcrum-9", 1, clock(0, 0, 0, null, 0), 0),
                "^BAD_MESSAGE replica 'fulcrum-9' " + REPLICAS));
        c.add(status("status-incarnation-0", status("fulcrum-3", 0, clock(0, 0, 0, null, 0), 0),
                "^BAD_MESSAGE incarnation must be positive, got 0"));
        c.add(status("status-published-beyond-applied", status("fulcrum-3", 1, clock(0, 0, 2, null, 0), 5),
                "^BAD_MESSAGE published #5 beyond own applied #2"));
        // believable in shape, but far beyond what exists: refused by the peers as such, and by
        // fulcrum-2 itself as an announcement in its name that it did not send (another incarnation)
        c.add(status("status-applied-10^15", status("fulcrum-2", 1, clock(1_000_000_000_000_000L, 0, 0, null, 0), 0),
                "^BAD_MESSAGE (fulcrum-2 claims fulcrum-1#1000000000000000, far beyond anything known"
                        + "|fulcrum-2 claims to have applied fulcrum-1#1000000000000000 but fulcrum-1 wrote only"
                        + "|a status in this replica's name that it did not send)"));
        return List.copyOf(c);
    }

    private static Case command(String name, String type, String body, String reason) {
        return new Case(name, Route.COMMAND, type, body, true, Pattern.compile(reason), false);
    }

    private static Case merge(String name, String type, String body, String reason) {
        return new Case(name, Route.MERGE, type, body, true, Pattern.compile(reason), false);
    }

    private static Case status(String name, String body, String reason) {
        return new Case(name, Route.STATUS, "ReplicaStatus", body, true, Pattern.compile(reason), false);
    }

    /** A ReplicaStatus body with every field: a serving replica, no compaction, no conflicts, no join. */
    static String status(String replica, long incarnation, String applied, long published) {
        return "{\"replica\":\"" + replica + "\",\"incarnation\":" + incarnation + ",\"phase\":\"SERVING\",\"applied\":" + applied
                + ",\"published\":" + published + ",\"compacted\":{},\"conflicts\":{},\"join\":null}";
    }

    /** An operation as a replica ships it, with one field to be made invalid by {@link Op#with}. */
    record Op(Map<String, Object> fields) {
        Op with(String field, Object value) {
            Map<String, Object> next = new LinkedHashMap<>(fields);
            next.put(field, value);
            return new Op(next);
        }

        Op without(String field) {
            Map<String, Object> next = new LinkedHashMap<>(fields);
            next.remove(field);
            return new Op(next);
        }

        /** The same operation as entry {@code seq} of its origin (an AddCity creates city {@code origin:seq}). */
        Op at(long seq) {
            return with("originSeq", seq).with("cityId", fields.get("origin") + ":" + seq);
        }

        String json() {
            StringBuilder sb = new StringBuilder("{");
            fields.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":")
                    .append(v instanceof String s && !s.startsWith("{") ? "\"" + s + "\"" : String.valueOf(v)));
            return sb.append('}').toString();
        }
    }

    /** A valid AddCity, fulcrum-1's first entry of incarnation 1, on planet {@value #PLANET}. */
    static Op op() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("origin", "fulcrum-1");
        f.put("incarnation", 1);
        f.put("originSeq", 1);
        f.put("planet", PLANET);
        f.put("kind", "AddCity");
        f.put("cityId", "fulcrum-1:1");
        f.put("name", "fuzz");
        f.put("rebels", 1);
        f.put("clock", clock(1, 0, 0, null, 0));
        f.put("commandId", "chaos-fuzz-op");
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
