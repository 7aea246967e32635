package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Names;
import fulcrum.core.protocol.Compacted;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.protocol.SnapshotChunk;
import fulcrum.core.protocol.SnapshotRequest;
import fulcrum.core.replica.City;
import fulcrum.core.replica.ConflictKind;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Stamp;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.PlanetClock;
import java.util.List;
import java.util.Map;

/**
 * The structural checks every message between replicas passes before it touches any state: ids
 * are replicas of this cluster, numbers are within bounds that real traffic never nears (so no
 * arithmetic on them can overflow), names follow the domain rules, runs are consecutive, sizes are
 * bounded. Merge traffic is untrusted input: what fails is dead-lettered with the reason, never
 * applied, never retried. Checks that need the replica's state (an entry's clock against the
 * planet's, a status against what this replica published) are made where that state is.
 */
final class MessageRules {
    /** Bound of sequence numbers and clock entries: 2^53, far beyond any real history, far below overflow. */
    static final long MAX_SEQ = 1L << 53;
    /** AMQP's short string: a message id (the command id) is at most 255 bytes. */
    static final int MAX_ID_CHARS = 255;
    static final int MAX_CURSOR_CHARS = 4096;
    static final int MAX_STAGE_CHARS = 32;
    static final int MAX_PAGE_ITEMS = 100_000;

    private final String self;
    private final List<String> replicaIds;

    MessageRules(String self, List<String> replicaIds) {
        this.self = self;
        this.replicaIds = replicaIds;
    }

    /** Null when {@code message} is well formed, else a one-line reason. */
    String problem(PeerMessage message) {
        try {
            if (message instanceof Delta d) {
                return delta(d);
            } else if (message instanceof ResendRequest r) {
                return resend(r);
            } else if (message instanceof Compacted c) {
                return first(fromPeerToMe(c.from(), c.to()), replica("origin", c.origin()),
                        seq("compactedUpTo", c.compactedUpTo(), 0));
            } else if (message instanceof MergeNow m) {
                return id("requestId", m.requestId());
            } else if (message instanceof JoinRequest j) {
                return first(replica("replica", j.replica()), positive("incarnation", j.incarnation()),
                        id("requestId", j.requestId()));
            } else if (message instanceof JoinOffer o) {
                return first(fromPeerToMe(o.from(), o.to()), id("requestId", o.requestId()),
                        vector("applied", o.applied()), vector("compacted", o.compacted()),
                        seq("heldOfRequester", o.heldOfRequester(), 0));
            } else if (message instanceof SnapshotRequest s) {
                return first(fromPeerToMe(s.from(), s.to()), id("requestId", s.requestId()),
                        seq("pageNo", s.pageNo(), 0), cursor(s.cursor()));
            } else if (message instanceof SnapshotChunk c) {
                return chunk(c);
            } else if (message instanceof ReplicaStatus s) {
                return status(s);
            }
            return "unknown message " + message.type();
        } catch (RuntimeException e) {
            return "invalid " + message.type() + ": " + e.getMessage();
        }
    }

    private String delta(Delta d) {
        String p = replica("origin", d.origin());
        if (p != null) {
            return p;
        }
        if (d.operations().isEmpty() || d.operations().size() > Delta.MAX_OPS) {
            return "a delta carries 1.." + Delta.MAX_OPS + " entries, got " + d.operations().size();
        }
        long expected = -1;
        for (Operation op : d.operations()) {
            if (!op.origin().equals(d.origin())) {
                return "delta of " + d.origin() + " holds entry " + op.id();
            }
            if (expected != -1 && op.originSeq() != expected) {
                return "delta of " + d.origin() + " skips from #" + (expected - 1) + " to #" + op.originSeq();
            }
            expected = op.originSeq() + 1;
            p = operation(op);
            if (p != null) {
                return "entry " + op.id() + ": " + p;
            }
        }
        return null;
    }

    String operation(Operation op) {
        String p = first(seq("originSeq", op.originSeq(), 1), positive("incarnation", op.incarnation()),
                Names.problem("planet", op.planet()), id("commandId", op.commandId()), clock(op.clock()));
        if (p != null) {
            return p;
        }
        if (op.name() != null && (p = Names.problem("name", op.name())) != null) {
            return p;
        }
        if (op.rebels() != null && op.rebels() < 0) {
            return "negative count " + op.rebels();
        }
        if (op.kind().changesState()) {
            if (op.clock().get(op.origin()) < 1) {
                return "a write's clock must count the write itself: " + op.clock();
            }
            if (op.kind() == OpKind.AddCity && !op.cityId().equals(Operation.cityIdOf(op.origin(), op.originSeq()))) {
                return "AddCity " + op.id() + " must create city " + Operation.cityIdOf(op.origin(), op.originSeq())
                        + ", not " + abbreviate(op.cityId());
            }
            return cityId(op.cityId());
        }
        return null;
    }

    private String resend(ResendRequest r) {
        return first(replica("origin", r.origin()), replica("requester", r.requester()), replica("target", r.target()),
                seq("fromSeq", r.fromSeq(), 1),
                r.requester().equals(r.target()) ? "a replica asks itself to resend" : null);
    }

    private String chunk(SnapshotChunk c) {
        String p = first(fromPeerToMe(c.from(), c.to()), id("requestId", c.requestId()), seq("pageNo", c.pageNo(), 0),
                cursor(c.nextCursor()));
        if (p != null) {
            return p;
        }
        if (c.error() != null) {
            return c.error().length() > 200 ? "error text over 200 characters" : null;
        }
        if (c.items() > MAX_PAGE_ITEMS) {
            return "a page of " + c.items() + " items exceeds " + MAX_PAGE_ITEMS;
        }
        if ((c.pageNo() == 0) != (c.applied() != null) || (c.applied() == null) != (c.incarnations() == null)) {
            return "the first page, and only it, carries the snapshot's applied vector and incarnations";
        }
        if (c.applied() != null && (p = vector("applied", c.applied())) != null) {
            return p;
        }
        if (c.incarnations() != null) {
            for (Map.Entry<String, List<IncarnationStart>> e : c.incarnations().entrySet()) {
                if ((p = replica("incarnation origin", e.getKey())) != null) {
                    return p;
                }
                if (e.getValue().size() > 1_000) {
                    return "too many incarnations of " + e.getKey();
                }
                for (IncarnationStart s : e.getValue()) {
                    if ((p = seq("firstSeq", s.firstSeq(), 1)) != null) {
                        return p;
                    }
                }
            }
        }
        for (PlanetClock pc : c.clocks()) {
            if ((p = first(Names.problem("planet", pc.planet()), clock(pc.clock()))) != null) {
                return p;
            }
        }
        for (CityEntry ce : c.cities()) {
            if ((p = first(Names.problem("planet", ce.planet()), city(ce.city()))) != null) {
                return p;
            }
        }
        for (CommandRecord r : c.commands()) {
            if ((p = first(id("commandId", r.commandId()), replica("origin", r.origin()), seq("originSeq", r.originSeq(), 1),
                    clock(r.clock()))) != null) {
                return p;
            }
        }
        return null;
    }

    private String status(ReplicaStatus s) {
        String p = first(replica("replica", s.replica()), positive("incarnation", s.incarnation()), vector("applied", s.applied()), vector("compacted", s.compacted()),
                seq("published", s.published(), 0));
        if (p != null) {
            return p;
        }
        if (s.published() > s.applied().getOrDefault(s.replica(), 0L)) {
            return "published #" + s.published() + " beyond own applied #" + s.applied().getOrDefault(s.replica(), 0L);
        }
        for (Map.Entry<String, Long> e : s.compacted().entrySet()) {
            // a joining replica's state was cleared: only a serving one applied everything below its floors
            if (s.phase() == fulcrum.core.store.Phase.SERVING && e.getValue() > s.applied().getOrDefault(e.getKey(), 0L)) {
                return "compacted " + e.getKey() + " beyond what it applied";
            }
        }
        for (Map.Entry<String, Long> e : s.conflicts().entrySet()) {
            if (ConflictKind.valueOf(e.getKey()) == null || e.getValue() == null || e.getValue() < 0 || e.getValue() > MAX_SEQ) {
                return "conflict count " + e;
            }
        }
        if (s.join() != null) {
            if (s.join().stage().length() > MAX_STAGE_CHARS || (s.join().source() != null && replica("source", s.join().source()) != null)) {
                return "join progress " + abbreviate(String.valueOf(s.join()));
            }
        }
        return null;
    }

    String city(City c) {
        String p = cityId(c.id());
        if (p == null && c.name() != null) {
            p = first(Names.problem("city name", c.name().value()), stamp(c.name()));
        }
        if (p == null && c.rebels() != null) {
            p = c.rebels().value() < 0 ? "negative count" : stamp(c.rebels());
        }
        if (p == null && c.createdAt() != null) {
            p = stamp(c.createdAt());
        }
        if (p == null && c.deletedAt() != null) {
            p = stamp(c.deletedAt());
        }
        return p;
    }

    private String stamp(Register<?> r) {
        return stamp(r.stamp());
    }

    private String stamp(Stamp s) {
        return first(replica("stamp origin", s.origin()), seq("stamp", s.clockSum(), 1));
    }

    /** A city id is {@code <replica>:<seq>}: the id of the AddCity that created it. */
    String cityId(String id) {
        if (id == null || id.length() > 80) {
            return "city id " + abbreviate(String.valueOf(id)) + " is not <replica>:<seq>";
        }
        int colon = id.lastIndexOf(':');
        if (colon < 1 || !replicaIds.contains(id.substring(0, colon))) {
            return "city id " + id + " is not <replica>:<seq> of a replica of this cluster";
        }
        try {
            long n = Long.parseLong(id.substring(colon + 1));
            return n >= 1 && n <= MAX_SEQ && id.substring(colon + 1).equals(Long.toString(n)) ? null
                    : "city id " + id + " has a bad sequence number";
        } catch (NumberFormatException e) {
            return "city id " + id + " has a bad sequence number";
        }
    }

    private String clock(VectorClock clock) {
        for (int i = 0; i < clock.size(); i++) {
            String p = replica("clock entry", clock.idAt(i));
            if (p != null) {
                return p;
            }
            if (clock.countAt(i) > MAX_SEQ) {
                return "clock entry " + clock.idAt(i) + "=" + clock.countAt(i) + " beyond 2^53";
            }
        }
        return null;
    }

    private String vector(String what, Map<String, Long> vector) {
        for (Map.Entry<String, Long> e : vector.entrySet()) {
            String p = first(replica(what + " key", e.getKey()), e.getValue() == null ? what + " value missing" : null);
            if (p != null) {
                return p;
            }
            if ((p = seq(what + " " + e.getKey(), e.getValue(), 0)) != null) {
                return p;
            }
        }
        return null;
    }

    private String fromPeerToMe(String from, String to) {
        return first(replica("from", from), from.equals(self) ? "a message from this replica to itself" : null,
                self.equals(to) ? null : "addressed to " + abbreviate(String.valueOf(to)) + ", not to " + self);
    }

    private String replica(String what, String id) {
        return id != null && replicaIds.contains(id) ? null
                : what + " '" + abbreviate(String.valueOf(id)) + "' is not one of " + replicaIds;
    }

    private static String seq(String what, long value, long min) {
        return value >= min && value <= MAX_SEQ ? null : what + " " + value + " outside " + min + "..2^53";
    }

    private static String positive(String what, long value) {
        return value >= 1 ? null : what + " must be positive, got " + value;
    }

    private static String id(String what, String value) {
        if (value == null || value.isEmpty()) {
            return what + " missing";
        }
        return value.length() <= MAX_ID_CHARS ? null : what + " of " + value.length() + " characters (at most " + MAX_ID_CHARS + ")";
    }

    private static String cursor(String cursor) {
        return cursor == null || cursor.length() <= MAX_CURSOR_CHARS ? null : "cursor over " + MAX_CURSOR_CHARS + " characters";
    }

    private static String first(String... problems) {
        for (String p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
