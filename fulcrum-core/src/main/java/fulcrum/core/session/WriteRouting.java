package fulcrum.core.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The order in which the router offers a <em>write</em> to the replicas: a function of the message
 * alone (command id and the session's last replica), never of what the router has learnt.
 *
 * <h2>Why a write may not follow the router's knowledge</h2>
 * Each replica deduplicates the command ids it has handled, and only those. If two attempts of one
 * command (a client re-send after a timeout, a redelivery after a router crash) could reach two
 * different replicas that both dominate the session's clock, both would apply it: the planet clock
 * would count two writes for one command. Knowledge changes between attempts, is lost when a router
 * restarts and differs between router copies, so an order built on it cannot keep two attempts
 * apart. This order can: every attempt of one message, through any router, walks the same list.
 *
 * <p>Together with the worker's {@link Admission} rule (a replica that answers a write {@code STALE}
 * records that answer as the command's outcome, so it answers {@code STALE} to every later
 * attempt), a write is applied at most once in the whole cluster: the router only moves from the
 * i-th replica to the next after the i-th has durably refused the command, and a replica that
 * is down keeps the command in its durable queue rather than being skipped.
 *
 * <h2>The order</h2>
 * The session's last replica for the planet first: it gave the session its clock and planet clocks
 * never decrease, so it dominates and a session's writes are normally served without a single
 * {@code STALE}. Then the others by rendezvous hashing of the command id (highest hash of
 * {@code commandId + replica} first), which spreads new sessions evenly and does not reshuffle the
 * order of other ids when a replica is added.
 *
 * <p>A re-send must therefore be the same message: same command id <em>and</em> same
 * {@code lastReplica}. The clients re-send the envelope they built for the first attempt.
 */
public final class WriteRouting {
    private final List<String> replicas;

    public WriteRouting(Collection<String> replicas) {
        this.replicas = List.copyOf(new LinkedHashSet<>(replicas));
        if (this.replicas.isEmpty()) {
            throw new IllegalArgumentException("no replicas to route to");
        }
    }

    /**
     * @param lastReplica the envelope's {@code lastReplica}; ignored when null or not a replica
     * @return every replica exactly once, in the order to offer the write
     */
    public List<String> order(String commandId, String lastReplica) {
        Objects.requireNonNull(commandId, "commandId");
        List<String> rest = new ArrayList<>(replicas);
        List<String> out = new ArrayList<>(replicas.size());
        if (lastReplica != null && rest.remove(lastReplica)) {
            out.add(lastReplica);
        }
        rest.sort(Comparator.comparingLong((String r) -> weight(commandId, r)).reversed().thenComparing(r -> r));
        out.addAll(rest);
        return List.copyOf(out);
    }

    /** 64-bit FNV-1a of {@code commandId NUL replica}, finished with the SplitMix64 mixer. */
    static long weight(String commandId, String replica) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (commandId + '\0' + replica).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
