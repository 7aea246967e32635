package fulcrum.core.router;

import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plain counters of what the router core decided, for the shell's metrics: final answers by command
 * kind and outcome, re-routes after {@code STALE}, queries moved on after their timeout, forwards
 * per replica, dead letters by source queue and code. No clock and no registry.
 */
public final class RouterCounters {
    /** The outcome of a command a replica executed with success. */
    public static final String OK = "ok";
    /** The outcome of a command whose replica's reply could not be read (relayed as it came). */
    public static final String UNREADABLE = "unreadable";
    /** The kind of a message whose body named no command that could be read. */
    public static final String UNKNOWN_KIND = "unknown";

    private final TreeMap<String, TreeMap<String, Long>> answers = new TreeMap<>();
    private final TreeMap<String, Long> staleReroutes = new TreeMap<>();
    private final TreeMap<String, Long> forwards = new TreeMap<>();
    private final TreeMap<String, TreeMap<String, Long>> deadLetters = new TreeMap<>();
    private long queryTimeouts;
    private final TreeMap<String, Long> routeAnswers = new TreeMap<>();

    /** What the counters hold at one moment; every map sorted. */
    public record Snapshot(SortedMap<String, SortedMap<String, Long>> answersByKindAndOutcome,
                           SortedMap<String, Long> staleReroutesByKind, SortedMap<String, Long> forwardsByReplica,
                           SortedMap<String, SortedMap<String, Long>> deadLettersByQueueAndCode, long queryTimeouts,
                           SortedMap<String, Long> routeAnswersByOutcome) {
    }

    void answered(CommandKind kind, String outcome) {
        answers.computeIfAbsent(kind == null ? UNKNOWN_KIND : kind.name(), k -> new TreeMap<>()).merge(outcome, 1L, Long::sum);
    }

    void answered(CommandKind kind, ErrorCode code) {
        answered(kind, code.name());
    }

    void staleReroute(CommandKind kind) {
        staleReroutes.merge(kind.name(), 1L, Long::sum);
    }

    void routeAnswered(String outcome) {
        routeAnswers.merge(outcome, 1L, Long::sum);
    }

    void queryTimeout() {
        queryTimeouts++;
    }

    void forwarded(String replica) {
        forwards.merge(replica, 1L, Long::sum);
    }

    void deadLettered(String sourceQueue, ErrorCode code) {
        deadLetters.computeIfAbsent(sourceQueue, q -> new TreeMap<>()).merge(code.name(), 1L, Long::sum);
    }

    Snapshot snapshot() {
        return new Snapshot(nestedCopy(answers), copy(staleReroutes), copy(forwards), nestedCopy(deadLetters), queryTimeouts,
                copy(routeAnswers));
    }

    private static SortedMap<String, SortedMap<String, Long>> nestedCopy(TreeMap<String, TreeMap<String, Long>> map) {
        TreeMap<String, SortedMap<String, Long>> copy = new TreeMap<>();
        map.forEach((k, v) -> copy.put(k, copy(v)));
        return Collections.unmodifiableSortedMap(copy);
    }

    private static SortedMap<String, Long> copy(TreeMap<String, Long> map) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }
}
