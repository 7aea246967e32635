package fulcrum.core.node;

import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.Reply;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plain counters of what the node did, for its caller's metrics: commands by kind and outcome,
 * merge rounds, entries sent to and received from peers, dead letters by queue and code, peer
 * messages refused by sender. Only
 * counts, no clock and no registry: the worker turns them into meters.
 */
public final class NodeCounters {
    /** The outcome of a command executed with success. */
    public static final String OK = "ok";
    /** The outcome of a command answered from its record (a re-sent or redelivered command id). */
    public static final String DEDUP = "dedup";
    /** The kind of a command whose body named none that could be read. */
    public static final String UNKNOWN_KIND = "unknown";
    /** A merge round started by the merge interval. */
    public static final String ROUND_INTERVAL = "interval";
    /** A merge round started by a {@code MergeNow} request. */
    public static final String ROUND_REQUESTED = "request";

    private final TreeMap<String, TreeMap<String, Long>> commands = new TreeMap<>();
    private final TreeMap<String, Long> mergeRounds = new TreeMap<>();
    private final TreeMap<String, Long> sent = new TreeMap<>();
    private final TreeMap<String, Long> received = new TreeMap<>();
    private final TreeMap<String, TreeMap<String, Long>> deadLetters = new TreeMap<>();
    private final TreeMap<String, Long> refusedSenders = new TreeMap<>();

    /** A command answered with {@code reply}; {@code fromRecord} when the answer is the id's earlier outcome. */
    void command(CommandKind kind, Reply reply, boolean fromRecord) {
        String outcome = fromRecord ? DEDUP : reply.ok() ? OK : reply.errorCode().name();
        command(kind, outcome);
    }

    void badCommand(CommandKind kind, ErrorCode code) {
        command(kind, code.name());
    }

    private void command(CommandKind kind, String outcome) {
        String k = kind == null ? UNKNOWN_KIND : kind.name();
        commands.computeIfAbsent(k, x -> new TreeMap<>()).merge(outcome, 1L, Long::sum);
    }

    void mergeRound(String trigger) {
        mergeRounds.merge(trigger, 1L, Long::sum);
    }

    /** The entries a delivered Ready published: a fanout reaches every peer, a direct message one. */
    void sent(Ready ready, List<String> peers) {
        for (Ready.Outbound m : ready.messages()) {
            if (m.message() instanceof Delta d) {
                long entries = d.operations().size();
                if (m.route() == Ready.Route.MERGE_FANOUT) {
                    peers.forEach(peer -> sent.merge(peer, entries, Long::sum));
                } else {
                    sent.merge(m.to(), entries, Long::sum);
                }
            }
        }
    }

    void received(String origin, long entries) {
        received.merge(origin, entries, Long::sum);
    }

    void deadLetter(DeliveryRef.Source source, ErrorCode code) {
        deadLetters.computeIfAbsent(source.name().toLowerCase(java.util.Locale.ROOT), x -> new TreeMap<>())
                .merge(code.name(), 1L, Long::sum);
    }

    /** A peer message refused by peer authentication; true for the sender's first ({@code ""}: no user_id). */
    boolean refused(String sender) {
        return refusedSenders.merge(sender == null ? "" : sender, 1L, Long::sum) == 1L;
    }

    SortedMap<String, SortedMap<String, Long>> commands() {
        return nestedCopy(commands);
    }

    SortedMap<String, Long> mergeRounds() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(mergeRounds));
    }

    SortedMap<String, Long> sent() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(sent));
    }

    SortedMap<String, Long> received() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(received));
    }

    SortedMap<String, SortedMap<String, Long>> deadLetters() {
        return nestedCopy(deadLetters);
    }

    /** Dead letters of all queues, per error code. */
    SortedMap<String, Long> deadLettersByCode() {
        TreeMap<String, Long> byCode = new TreeMap<>();
        deadLetters.values().forEach(codes -> codes.forEach((code, n) -> byCode.merge(code, n, Long::sum)));
        return Collections.unmodifiableSortedMap(byCode);
    }

    long deadLettersTotal() {
        long total = 0;
        for (TreeMap<String, Long> codes : deadLetters.values()) {
            for (long n : codes.values()) {
                total += n;
            }
        }
        return total;
    }

    SortedMap<String, Long> refusedSenders() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(refusedSenders));
    }

    private static SortedMap<String, SortedMap<String, Long>> nestedCopy(TreeMap<String, TreeMap<String, Long>> map) {
        TreeMap<String, SortedMap<String, Long>> copy = new TreeMap<>();
        map.forEach((k, v) -> copy.put(k, Collections.unmodifiableSortedMap(new TreeMap<>(v))));
        return Collections.unmodifiableSortedMap(copy);
    }
}
