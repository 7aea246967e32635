package fulcrum.chaos.check;

import fulcrum.chaos.history.HistoryEvent;
import fulcrum.chaos.history.HistoryEvent.Type;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.session.SessionChecker;
import fulcrum.core.session.SessionEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a chaos history against the replicas' final state.
 *
 * <p>The workload makes the checks decidable: every informant session owns its planet (no other
 * session writes there, so there are no concurrent conflicts except those of a retried command),
 * cities are never renamed or deleted, and every write sets a count no other write sets. So:
 * <ul>
 *   <li><b>lost</b>: a city whose AddCity was acknowledged is missing, or its final count is the
 *       count of an older write instead of the last acknowledged one (or of an unknown-outcome write,
 *       which may or may not have been applied, in any order);</li>
 *   <li><b>unexpected</b>: a final count, city or planet no attempted write explains (or one set only
 *       by writes that were definitely refused); a read returning such a count;</li>
 *   <li><b>doubled</b>: a command id at two sequence numbers of one origin in the op logs (entries
 *       compaction removed are not seen), or a planet whose clock (which counts, per origin, every
 *       write applied, and is never compacted) exceeds acknowledged + unknown writes; a clock below
 *       the acknowledged writes is a loss;</li>
 *   <li><b>multi-origin</b>: a command id applied at two replicas (a retry that reached another one);</li>
 *   <li><b>session guarantees</b>: {@link SessionChecker} on every answer with a clock, plus an
 *       informant's read must return its last acknowledged count (or an unknown-outcome one);</li>
 *   <li>byte-identical dumps and equal planet clocks on every replica; the dead-letter queue holds
 *       every bad input sent on purpose and nothing else (a redelivery may dead-letter one twice).</li>
 * </ul>
 */
public final class Checker {
    private static final int MAX_PROBLEMS = 50;

    private Checker() {
    }

    /** A command as the history tells it: its first invocation and its outcome. */
    record Cmd(HistoryEvent invoke, Type outcome, HistoryEvent okAnswer) {
        String key() {
            return invoke.planet() + "/" + invoke.city();
        }
    }

    /**
     * @param history         the recorded history
     * @param replicas        the stopped replicas' final state (after the final merge)
     * @param fuzzExpected    ids of bad inputs the broker confirmed (must be dead-lettered)
     * @param fuzzSent        ids of every bad input sent (unconfirmed ones may be dead-lettered)
     * @param deadLetterIds   the fuzz id of each message found in the dead-letter queue (null: none)
     */
    public static CheckReport check(List<HistoryEvent> history, List<FinalReplica> replicas,
                                    Set<String> fuzzExpected, Set<String> fuzzSent, List<String> deadLetterIds) {
        List<String> problems = new ArrayList<>();
        Map<String, Cmd> commands = commands(history);

        long acknowledged = 0, failed = 0, unknown = 0, reads = 0;
        for (Cmd c : commands.values()) {
            if (c.invoke.isWrite()) {
                switch (c.outcome) {
                    case OK -> acknowledged++;
                    case FAIL -> failed++;
                    default -> unknown++;
                }
            } else if (c.outcome == Type.OK) {
                reads++;
            }
        }

        // writes per city, in the order they were first sent
        Map<String, List<Cmd>> writesByCity = new LinkedHashMap<>();
        Map<String, String> ownerOfPlanet = new HashMap<>();
        for (Cmd c : commands.values()) {
            if (c.invoke.isWrite()) {
                writesByCity.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
                ownerOfPlanet.putIfAbsent(c.invoke.planet(), c.invoke.session());
            }
        }

        // ---- session guarantees ----
        long violations = 0;
        long refused = 0;
        List<SessionEvent> sessionEvents = new ArrayList<>();
        List<HistoryEvent> sessionSources = new ArrayList<>();
        Map<String, Long> lastAckedValue = new HashMap<>(); // session|city -> count of its last acknowledged write
        long unexpected = 0;
        for (HistoryEvent e : history) {
            if (e.type() != Type.OK && e.type() != Type.FAIL) {
                continue;
            }
            if (e.refused()) {
                refused++;
            }
            SessionEvent se = toSessionEvent(e);
            if (se != null) {
                sessionEvents.add(se);
                sessionSources.add(e);
            }
            String key = e.planet() + "/" + e.city();
            if (e.type() == Type.OK && e.isWrite()) {
                lastAckedValue.put(e.session() + "|" + key, e.value());
            }
            if (e.type() == Type.OK && !e.isWrite()) {
                List<Cmd> writes = writesByCity.getOrDefault(key, List.of());
                Set<Long> attempted = new HashSet<>();
                Set<Long> unknownValues = new HashSet<>();
                for (Cmd w : writes) {
                    attempted.add(w.invoke.value());
                    if (w.outcome == Type.UNKNOWN) {
                        unknownValues.add(w.invoke.value());
                    }
                }
                if (!attempted.contains(e.rebels())) {
                    unexpected++;
                    add(problems, "unexpected read: " + e.session() + " read " + key + " = " + e.rebels()
                            + " at " + e.replica() + " (#" + e.index() + "), a count no write set");
                } else if (Objects.equals(ownerOfPlanet.get(e.planet()), e.session())) {
                    Long last = lastAckedValue.get(e.session() + "|" + key);
                    if (!Objects.equals(last, e.rebels()) && !unknownValues.contains(e.rebels())) {
                        violations++;
                        add(problems, "read-your-writes: " + e.session() + " read " + key + " = " + e.rebels()
                                + " at " + e.replica() + " (#" + e.index() + ") after its write of " + last);
                    }
                }
            }
        }
        for (SessionChecker.Violation v : SessionChecker.check(sessionEvents)) {
            violations++;
            add(problems, "session: " + v.guarantee() + " (history #" + sessionSources.get(v.index()).index() + "): "
                    + v.reason());
        }

        // ---- convergence ----
        boolean dumpsIdentical = true;
        boolean clocksEqual = true;
        if (replicas.isEmpty()) {
            dumpsIdentical = false;
            clocksEqual = false;
            add(problems, "no replica store to check");
        } else {
            FinalReplica first = replicas.get(0);
            for (FinalReplica r : replicas.subList(1, replicas.size())) {
                if (!r.dump().equals(first.dump())) {
                    dumpsIdentical = false;
                    add(problems, "dump of " + r.id() + " differs from " + first.id() + "'s");
                }
                Set<String> names = new TreeSet<>(first.planets().keySet());
                names.addAll(r.planets().keySet());
                for (String p : names) {
                    FinalReplica.PlanetView a = first.planets().get(p);
                    FinalReplica.PlanetView b = r.planets().get(p);
                    if (a == null || b == null || !VectorClock.of(a.clock()).equals(VectorClock.of(b.clock()))) {
                        clocksEqual = false;
                        add(problems, "planet " + p + ": clock at " + first.id() + " " + (a == null ? "-" : a.clock())
                                + ", at " + r.id() + " " + (b == null ? "-" : b.clock()));
                    }
                }
            }
        }

        // ---- final state: lost and unexpected, per replica (the worst replica counts) ----
        long lost = 0;
        long doubled = 0;
        long unexpectedFinal = 0;
        for (FinalReplica r : replicas) {
            long lostHere = 0, unexpectedHere = 0, doubledHere = 0;
            for (Map.Entry<String, List<Cmd>> entry : writesByCity.entrySet()) {
                List<Cmd> writes = entry.getValue();
                String planet = writes.get(0).invoke.planet();
                String city = writes.get(0).invoke.city();
                FinalReplica.PlanetView view = r.planets().get(planet);
                Long value = view == null ? null : view.cities().get(city);
                Cmd lastAcked = null;
                Set<Long> allowed = new HashSet<>();
                Set<Long> refusedValues = new HashSet<>();
                Set<Long> olderAcked = new HashSet<>();
                for (Cmd w : writes) {
                    if (w.outcome == Type.OK) {
                        if (lastAcked != null) {
                            olderAcked.add(lastAcked.invoke.value());
                        }
                        lastAcked = w;
                    } else if (w.outcome == Type.UNKNOWN) {
                        allowed.add(w.invoke.value());
                    } else {
                        refusedValues.add(w.invoke.value());
                    }
                }
                if (lastAcked != null) {
                    allowed.add(lastAcked.invoke.value());
                }
                if (value == null) {
                    if (lastAcked != null) {
                        lostHere++;
                        add(problems, "lost at " + r.id() + ": " + entry.getKey() + " is missing, though "
                                + lastAcked.invoke.kind() + " " + lastAcked.invoke.commandId() + " (= "
                                + lastAcked.invoke.value() + ") was acknowledged");
                    }
                } else if (!allowed.contains(value)) {
                    if (olderAcked.contains(value) && lastAcked != null) {
                        lostHere++;
                        add(problems, "lost at " + r.id() + ": " + entry.getKey() + " = " + value + ", but "
                                + lastAcked.invoke.commandId() + " (= " + lastAcked.invoke.value()
                                + ") was acknowledged after the write of " + value);
                    } else {
                        unexpectedHere++;
                        add(problems, "unexpected at " + r.id() + ": " + entry.getKey() + " = " + value
                                + (refusedValues.contains(value) ? " (set only by a refused write)" : " (no write set it)"));
                    }
                }
            }
            // cities and planets nobody wrote
            for (Map.Entry<String, FinalReplica.PlanetView> p : r.planets().entrySet()) {
                for (String city : p.getValue().cities().keySet()) {
                    if (!writesByCity.containsKey(p.getKey() + "/" + city)) {
                        unexpectedHere++;
                        add(problems, "unexpected at " + r.id() + ": city " + p.getKey() + "/" + city + " nobody added");
                    }
                }
                if (!ownerOfPlanet.containsKey(p.getKey())) {
                    unexpectedHere++;
                    add(problems, "unexpected at " + r.id() + ": planet " + p.getKey() + " nobody wrote");
                    continue;
                }
                // the planet's clock counts the writes applied to it (never compacted)
                long applied = p.getValue().clock().values().stream().mapToLong(Long::longValue).sum();
                long ok = 0, maybe = 0;
                for (Cmd c : commands.values()) {
                    if (c.invoke.isWrite() && p.getKey().equals(c.invoke.planet())) {
                        if (c.outcome == Type.OK) {
                            ok++;
                        } else if (c.outcome == Type.UNKNOWN) {
                            maybe++;
                        }
                    }
                }
                if (applied > ok + maybe) {
                    doubledHere += applied - ok - maybe;
                    add(problems, "doubled at " + r.id() + ": planet " + p.getKey() + " clock " + p.getValue().clock()
                            + " counts " + applied + " writes; only " + ok + " acknowledged + " + maybe + " unknown");
                } else if (applied < ok) {
                    lostHere += ok - applied;
                    add(problems, "lost at " + r.id() + ": planet " + p.getKey() + " clock counts " + applied
                            + " writes, " + ok + " were acknowledged");
                }
            }
            lost = Math.max(lost, lostHere);
            unexpectedFinal = Math.max(unexpectedFinal, unexpectedHere);
            doubled = Math.max(doubled, doubledHere);
        }
        unexpected += unexpectedFinal;

        // ---- op logs: a command id at two sequence numbers of one origin, or at two origins ----
        Map<String, Map<String, Set<Long>>> seqsByCommand = new TreeMap<>();
        for (FinalReplica r : replicas) {
            for (FinalReplica.LoggedOp op : r.operations()) {
                seqsByCommand.computeIfAbsent(op.commandId(), k -> new TreeMap<>())
                        .computeIfAbsent(op.origin(), k -> new TreeSet<>()).add(op.originSeq());
            }
        }
        long doubledInLogs = 0;
        long multiOrigin = 0;
        for (Map.Entry<String, Map<String, Set<Long>>> e : seqsByCommand.entrySet()) {
            for (Map.Entry<String, Set<Long>> o : e.getValue().entrySet()) {
                if (o.getValue().size() > 1) {
                    doubledInLogs++;
                    add(problems, "doubled: command " + e.getKey() + " applied at " + o.getKey() + " as operations "
                            + o.getValue());
                }
            }
            if (e.getValue().size() > 1) {
                multiOrigin++;
                add(problems, "multi-origin: command " + e.getKey() + " applied at " + e.getValue());
            }
        }
        doubled += doubledInLogs;

        // ---- dead letters ----
        Set<String> found = new TreeSet<>();
        long foreign = 0;
        for (String id : deadLetterIds) {
            if (id != null && fuzzSent.contains(id)) {
                found.add(id);
            } else {
                foreign++;
                add(problems, "dead letter that is no bad input sent on purpose: " + id);
            }
        }
        Set<String> missing = new TreeSet<>(fuzzExpected);
        missing.removeAll(found);
        for (String id : missing) {
            add(problems, "bad input " + id + " was not dead-lettered");
        }

        return new CheckReport(acknowledged, failed, unknown, reads, lost, doubled, multiOrigin, unexpected,
                violations, refused, dumpsIdentical, clocksEqual, fuzzExpected.size(), found.size(), missing.size(),
                foreign, problems);
    }

    static Map<String, Cmd> commands(Collection<HistoryEvent> history) {
        Map<String, HistoryEvent> invokes = new LinkedHashMap<>();
        Map<String, Type> outcome = new HashMap<>();
        Map<String, HistoryEvent> okAnswer = new HashMap<>();
        for (HistoryEvent e : history) {
            switch (e.type()) {
                case INVOKE -> invokes.putIfAbsent(e.commandId(), e);
                case OK -> {
                    outcome.put(e.commandId(), Type.OK);
                    okAnswer.putIfAbsent(e.commandId(), e);
                }
                case UNKNOWN -> outcome.merge(e.commandId(), Type.UNKNOWN, (a, b) -> a == Type.OK ? a : b);
                case FAIL -> outcome.merge(e.commandId(), Type.FAIL, (a, b) -> a);
            }
        }
        Map<String, Cmd> out = new LinkedHashMap<>();
        for (Map.Entry<String, HistoryEvent> e : invokes.entrySet()) {
            // an invocation without any answer recorded (the driver died) counts as unknown
            out.put(e.getKey(), new Cmd(e.getValue(), outcome.getOrDefault(e.getKey(), Type.UNKNOWN),
                    okAnswer.get(e.getKey())));
        }
        return out;
    }

    private static SessionEvent toSessionEvent(HistoryEvent e) {
        if (e.clock() == null || e.planet() == null) {
            return null;
        }
        CommandKind kind;
        ErrorCode code = null;
        try {
            kind = CommandKind.valueOf(e.kind());
            if (e.type() == Type.FAIL) {
                code = ErrorCode.valueOf(e.error());
            }
        } catch (IllegalArgumentException | NullPointerException notOurs) {
            return null;
        }
        return new SessionEvent(e.session(), kind, e.planet(), VectorClock.of(e.clock()), e.replica(),
                e.type() == Type.OK, code);
    }

    private static void add(List<String> problems, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }
}
