package fulcrum.chaos.check;

import static fulcrum.chaos.check.Findings.Category.DOUBLED;
import static fulcrum.chaos.check.Findings.Category.LOST;
import static fulcrum.chaos.check.Findings.Category.MULTI_ORIGIN;
import static fulcrum.chaos.check.Findings.Category.READ;
import static fulcrum.chaos.check.Findings.Category.SESSION;
import static fulcrum.chaos.check.Findings.Category.UNEXPECTED;

import fulcrum.chaos.check.FinalReplica.CommandRecord;
import fulcrum.chaos.check.Replay.App;
import fulcrum.chaos.check.Replay.Lineage;
import fulcrum.chaos.history.HistoryEvent;
import fulcrum.chaos.history.HistoryEvent.Type;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.session.SessionChecker;
import fulcrum.core.session.SessionEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks a chaos history against the replicas' command records and final state, exactly.
 *
 * <p>The workload makes exact checking possible: informant {@code i} is the only writer of planet
 * {@code Chaos_i}, sends one command at a time, never reuses a count or a city name, and never writes
 * a city again once a write on it ended with an unknown outcome. The command records (one per
 * application of a command at its origin, held by every replica that applied it, never compacted)
 * tell which commands were applied, where and with which clock. So:
 * <ul>
 *   <li><b>applications</b>: an acknowledged write has exactly one application, a failed one none,
 *       one with an unknown outcome at most one; more than one (at one origin or at several) is
 *       <i>doubled</i>, an acknowledged write without any is <i>lost</i>, a failed write's
 *       application and a record of a command nobody sent are <i>unexpected</i>; records of one
 *       application that disagree between replicas are <i>doubled</i>;</li>
 *   <li><b>final state</b>: per planet, the applications replayed in stamp order ({@link Replay})
 *       must be what every replica shows: a missing effect of an acknowledged (or applied) write is
 *       <i>lost</i> (an older unknown write applied before it cannot explain the final value: the
 *       order is the clocks', not the history's), a city or count no application produced is
 *       <i>unexpected</i>;</li>
 *   <li><b>clocks</b>: entry {@code j} of a planet's clock at every replica equals the number of
 *       applications at origin {@code j} on that planet; fewer is <i>lost</i>, more <i>doubled</i>;</li>
 *   <li><b>reads</b>: a read answered with clock {@code C} must show the state that the applications
 *       {@code C} dominates replay to: an older count, or a city shown after its delete, or
 *       CITY_NOT_FOUND (to a read or a write) for a city that exists there, is a <i>read</i> violation; a count no write
 *       applied at or before {@code C} set is <i>unexpected</i>;</li>
 *   <li><b>session guarantees</b>: {@link SessionChecker} on every answer with a clock, and every
 *       application of a session's write follows the session's earlier acknowledged writes;</li>
 *   <li>byte-identical dumps and equal planet clocks on every replica; the dead-letter queue holds
 *       every bad input that must be dead-lettered and nothing else (several copies of one are fine:
 *       every replica that receives a bad merge or status message dead-letters its copy), and each
 *       dead letter of a bad input gives the reason that input was made to be refused for
 *       ({@link Convergence}, {@link DeadLetterTally}).</li>
 * </ul>
 */
public final class Checker {
    private final List<HistoryEvent> history;
    private final List<FinalReplica> replicas;
    private final Map<String, Cmd> commands;
    private final Findings findings = new Findings();
    /** Applications of sent commands, by command id. */
    private final Map<String, List<App>> appsByCommand = new HashMap<>();
    /** Applications of sent writes, per planet, in stamp order. */
    private final Map<String, List<App>> appsByPlanet = new TreeMap<>();
    /** Per planet, per origin: applications the records hold (sent or not). */
    private final Map<String, Map<String, Long>> appliedPerOrigin = new TreeMap<>();
    private final Map<String, Replay> replays = new HashMap<>();

    private Checker(List<HistoryEvent> history, List<FinalReplica> replicas) {
        this.history = history;
        this.replicas = replicas;
        this.commands = Cmd.of(history);
    }

    /**
     * @param history         the recorded history
     * @param replicas        the stopped replicas' records and final state (after the final merge)
     * @param fuzz            the bad inputs sent on purpose
     * @param deadLetters     every message found in the dead-letter queue
     */
    public static CheckReport check(List<HistoryEvent> history, List<FinalReplica> replicas, FuzzLedger fuzz,
                                    List<DeadLetter> deadLetters) {
        return new Checker(history, replicas).run(fuzz, deadLetters);
    }

    private CheckReport run(FuzzLedger fuzz, List<DeadLetter> deadLetters) {
        collectApplications();
        checkApplicationsPerCommand();
        checkApplicationsFollowTheSession();
        checkFinalStates();
        checkReads();
        checkSessions();
        Convergence converged = Convergence.of(replicas, findings);
        DeadLetterTally dead = DeadLetterTally.of(fuzz, deadLetters, findings);

        long acknowledged = 0, failed = 0, unknown = 0, unknownApplied = 0, reads = 0, refused = 0;
        for (Cmd c : commands.values()) {
            if (!c.isWrite()) {
                reads += c.outcome() == Type.OK ? 1 : 0;
            } else if (c.outcome() == Type.OK) {
                acknowledged++;
            } else if (c.outcome() == Type.FAIL) {
                failed++;
            } else {
                unknown++;
                unknownApplied += appsByCommand.containsKey(c.id()) ? 1 : 0;
            }
        }
        for (HistoryEvent e : history) {
            refused += e.refused() ? 1 : 0;
        }
        return new CheckReport(acknowledged, failed, unknown, unknownApplied, reads, findings.count(LOST),
                findings.count(DOUBLED), findings.count(MULTI_ORIGIN), findings.count(UNEXPECTED),
                findings.count(SESSION), findings.count(READ), refused, converged.dumpsIdentical(), converged.clocksEqual(),
                fuzz.expected().size(), dead.found(), dead.missing(), dead.foreign(), dead.wrongReason(), findings.problems());
    }

    // ---- command records -----------------------------------------------------------------------

    /**
     * The distinct applications over every replica's records (one per command, origin and sequence
     * number). Records of one application that disagree between replicas, and an entry id (origin,
     * sequence number) that names two commands, are <i>doubled</i>: the id of an application is its
     * entry id, and two writes under one id are one too many.
     */
    private void collectApplications() {
        Map<String, CommandRecord> first = new LinkedHashMap<>();
        Map<String, String> holder = new HashMap<>();
        Map<String, CommandRecord> byEntry = new HashMap<>();
        Map<String, String> entryHolder = new HashMap<>();
        for (FinalReplica r : replicas) {
            for (CommandRecord rec : r.records()) {
                String entry = rec.origin() + "#" + rec.originSeq();
                CommandRecord sameEntry = byEntry.putIfAbsent(entry, rec);
                if (sameEntry == null) {
                    entryHolder.put(entry, r.id());
                } else if (!sameEntry.commandId().equals(rec.commandId())) {
                    findings.add(DOUBLED, "entry:" + entry, "entry id " + entry + " names two commands: " + entryHolder.get(entry)
                            + " holds " + sameEntry.commandId() + " (" + recordText(sameEntry) + "), " + r.id() + " holds "
                            + rec.commandId() + " (" + recordText(rec) + ")");
                }
                if (!rec.kind().isApplication()) {
                    continue;
                }
                String key = rec.commandId() + "|" + entry;
                CommandRecord seen = first.putIfAbsent(key, rec);
                if (seen == null) {
                    holder.put(key, r.id());
                } else if (!sameApplication(seen, rec)) {
                    findings.add(DOUBLED, "disagree:" + rec.commandId(), "the records of command " + rec.commandId()
                            + " at " + entry + " disagree: " + holder.get(key) + " holds " + recordText(seen) + ", "
                            + r.id() + " holds " + recordText(rec));
                }
            }
        }
        for (CommandRecord rec : first.values()) {
            appliedPerOrigin.computeIfAbsent(rec.planet(), p -> new TreeMap<>()).merge(rec.origin(), 1L, Long::sum);
            Cmd cmd = commands.get(rec.commandId());
            if (cmd == null) {
                findings.add(UNEXPECTED, "record:" + rec.commandId(), "command " + rec.commandId()
                        + " was applied, and nobody sent it: " + recordText(rec) + " at " + rec.origin());
                continue;
            }
            if (!cmd.kind().equals(rec.kind().name()) || !Objects.equals(cmd.planet(), rec.planet())) {
                findings.add(UNEXPECTED, "record:" + rec.commandId(), "the record of " + cmd.describe()
                        + " says " + recordText(rec) + " at " + rec.origin());
                continue;
            }
            App app = new App(cmd, rec.origin(), rec.originSeq(), VectorClock.of(rec.clock()));
            appsByCommand.computeIfAbsent(cmd.id(), k -> new ArrayList<>()).add(app);
            appsByPlanet.computeIfAbsent(cmd.planet(), k -> new ArrayList<>()).add(app);
        }
        appsByPlanet.values().forEach(list -> list.sort(Replay.STAMP_ORDER));
    }

    private static boolean sameApplication(CommandRecord a, CommandRecord b) {
        return a.kind() == b.kind() && a.planet().equals(b.planet())
                && VectorClock.of(a.clock()).equals(VectorClock.of(b.clock()));
    }

    private static String recordText(CommandRecord r) {
        return r.kind() + " on " + r.planet() + " with clock " + VectorClock.of(r.clock());
    }

    private void checkApplicationsPerCommand() {
        for (Cmd cmd : commands.values()) {
            if (!cmd.isWrite()) {
                continue;
            }
            List<App> apps = appsByCommand.getOrDefault(cmd.id(), List.of());
            if (apps.size() > 1) {
                String where = apps.stream().map(a -> a.origin() + "#" + a.originSeq() + " " + a.clock())
                        .collect(Collectors.joining(", "));
                findings.add(DOUBLED, "command:" + cmd.id(), cmd.describe() + " was applied " + apps.size()
                        + " times (" + where + ")" + (cmd.outcome() == Type.UNKNOWN
                        ? "; an unknown-outcome write may explain at most one application" : ""));
                if (apps.stream().map(App::origin).distinct().count() > 1) {
                    findings.add(MULTI_ORIGIN, "command:" + cmd.id(), cmd.describe() + " was applied at " + where);
                }
            }
            if (cmd.outcome() == Type.OK && apps.isEmpty()) {
                findings.add(LOST, "write:" + cmd.id(), cmd.describe() + " has no application at any replica");
            } else if (cmd.outcome() == Type.FAIL && !apps.isEmpty()) {
                findings.add(UNEXPECTED, "write:" + cmd.id(), cmd.describe() + " took effect: " + apps.get(0).describe());
            }
        }
    }

    /**
     * A session's writes are sent one after the other, each with the session's clock: every
     * application of a write must follow the applications of the session's earlier acknowledged
     * writes on that planet (monotonic writes, on the records' clocks rather than the answers').
     */
    private void checkApplicationsFollowTheSession() {
        Map<String, VectorClock> acknowledgedSoFar = new HashMap<>();
        for (Cmd cmd : commands.values()) { // in the order of their first invocation
            if (!cmd.isWrite()) {
                continue;
            }
            String key = cmd.invoke().session() + "|" + cmd.planet();
            VectorClock before = acknowledgedSoFar.getOrDefault(key, VectorClock.empty());
            VectorClock after = before;
            for (App app : appsByCommand.getOrDefault(cmd.id(), List.of())) {
                if (!app.clock().dominates(before)) {
                    findings.add(SESSION, "applied-order:" + cmd.id(), "MONOTONIC_WRITES: " + app.describe()
                            + ", not after the session's earlier acknowledged writes (clock " + before + ")");
                }
                after = after.merge(app.clock());
            }
            if (cmd.outcome() == Type.OK) {
                acknowledgedSoFar.put(key, after);
            }
        }
    }

    // ---- final state ---------------------------------------------------------------------------

    private Replay replay(String planet, VectorClock upTo) {
        String key = planet + (upTo == null ? "" : upTo.asMap().toString());
        return replays.computeIfAbsent(key, k -> Replay.of(appsByPlanet.getOrDefault(planet, List.of()).stream()
                .filter(a -> upTo == null || upTo.dominates(a.clock())).toList()));
    }

    private void checkFinalStates() {
        Set<String> planets = new TreeSet<>(appliedPerOrigin.keySet());
        replicas.forEach(r -> planets.addAll(r.planets().keySet()));
        for (FinalReplica r : replicas) {
            for (String planet : planets) {
                FinalReplica.PlanetView view = r.planets().get(planet);
                if (!appliedPerOrigin.containsKey(planet)) {
                    findings.add(UNEXPECTED, "planet:" + planet, "planet " + planet + " at " + r.id()
                            + ": no applied write created it");
                    continue;
                }
                compareCities(r.id(), planet, view == null ? Map.of() : view.cities());
                compareClock(r.id(), planet, view == null ? Map.of() : view.clock());
            }
        }
    }

    private void compareCities(String replica, String planet, Map<String, Long> cities) {
        Replay expected = replay(planet, null);
        for (Map.Entry<String, Lineage> e : expected.live.entrySet()) {
            Lineage l = e.getValue();
            Long actual = cities.get(e.getKey());
            String city = planet + "/" + e.getKey();
            if (actual == null) {
                findings.add(LOST, "write:" + l.nameSetter.cmd().id(), city + " is missing at " + replica
                        + ", though " + l.nameSetter.describe());
            } else if (actual != l.count) {
                findings.add(LOST, "write:" + l.countSetter.cmd().id(), city + " = " + actual + " at " + replica
                        + ", though the last write on it is " + l.countSetter.describe());
                if (!l.countsSet.contains(actual)) {
                    findings.add(UNEXPECTED, "count:" + city + "=" + actual, city + " = " + actual + " at " + replica
                            + ": no applied write set that count on that city");
                }
            }
        }
        for (Map.Entry<String, Long> e : cities.entrySet()) {
            if (expected.live.containsKey(e.getKey())) {
                continue;
            }
            String city = planet + "/" + e.getKey();
            App remover = expected.removedBy.get(e.getKey());
            if (remover != null) {
                findings.add(LOST, "write:" + remover.cmd().id(), city + " = " + e.getValue() + " is visible at "
                        + replica + ", though " + remover.describe() + " took that name away");
            } else {
                findings.add(UNEXPECTED, "city:" + city, city + " = " + e.getValue() + " at " + replica
                        + ": no applied write created it");
            }
        }
    }

    private void compareClock(String replica, String planet, Map<String, Long> clock) {
        Map<String, Long> applied = appliedPerOrigin.get(planet);
        Set<String> origins = new TreeSet<>(applied.keySet());
        origins.addAll(clock.keySet());
        for (String origin : origins) {
            long want = applied.getOrDefault(origin, 0L);
            long have = clock.getOrDefault(origin, 0L);
            String text = "planet " + planet + " at " + replica + ": clock entry " + origin + " is " + have
                    + ", the records hold " + want + " applications at " + origin;
            if (have > want) {
                findings.add(DOUBLED, "clock:" + planet + ":" + origin, text + " (an application without its record)");
            } else if (have < want) {
                findings.add(LOST, "clock:" + planet + ":" + origin, text);
            }
        }
    }

    // ---- reads ---------------------------------------------------------------------------------

    /**
     * Every read answered with a clock, and every CITY_NOT_FOUND answer (a write's too), shows exactly
     * the state the applications under that clock make.
     */
    private void checkReads() {
        for (HistoryEvent e : history) {
            boolean read = "GetNumberRebelds".equals(e.kind());
            boolean notFound = e.type() == Type.FAIL && "CITY_NOT_FOUND".equals(e.error());
            if (e.clock() == null || e.planet() == null || !(notFound || (read && e.type() == Type.OK))) {
                continue;
            }
            VectorClock clock = VectorClock.of(e.clock());
            Lineage l = replay(e.planet(), clock).live.get(e.city());
            String what = e.session() + " " + (read ? "read" : e.kind()) + " " + e.planet() + "/" + e.city() + " at "
                    + e.replica() + " with clock " + clock + " (#" + e.index() + ")";
            if (notFound) {
                if (l != null) {
                    findings.add(READ, "read:" + e.index(), what + ": CITY_NOT_FOUND, though as of that clock "
                            + l.nameSetter.describe());
                }
            } else if (l == null || !Objects.equals(e.rebels(), l.count)) {
                boolean setUnderClock = appsByPlanet.getOrDefault(e.planet(), List.of()).stream()
                        .anyMatch(a -> clock.dominates(a.clock()) && Objects.equals(a.cmd().invoke().value(), e.rebels())
                                && !"UpdateName".equals(a.cmd().kind()));
                if (setUnderClock) {
                    findings.add(READ, "read:" + e.index(), what + ": " + e.rebels() + ", though as of that clock "
                            + (l == null ? "no city has that name" : "it is " + l.count + " since " + l.countSetter.describe()));
                } else {
                    findings.add(UNEXPECTED, "read:" + e.index(), what + ": " + e.rebels()
                            + ", a count no write applied at or before that clock set");
                }
            }
        }
    }

    // ---- session guarantees --------------------------------------------------------------------

    private void checkSessions() {
        List<SessionEvent> events = new ArrayList<>();
        List<HistoryEvent> sources = new ArrayList<>();
        for (HistoryEvent e : history) {
            SessionEvent se = (e.type() == Type.OK || e.type() == Type.FAIL) ? toSessionEvent(e) : null;
            if (se != null) {
                events.add(se);
                sources.add(e);
            }
        }
        for (SessionChecker.Violation v : SessionChecker.check(events)) {
            HistoryEvent source = sources.get(v.index());
            findings.add(SESSION, "answer:" + source.index() + ":" + v.guarantee(), v.guarantee() + " (history #"
                    + source.index() + "): " + v.reason());
        }
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
}
