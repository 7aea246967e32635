package fulcrum.core.node;

import fulcrum.core.protocol.ResendRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a replica does on its own to converge and to stay small: ask for what it misses (a gap, a
 * causal predecessor, or what a peer announced and it lacks), and compact the op-log entries every
 * replica has announced it applied.
 */
final class AntiEntropy {
    private final NodeConfig config;
    private final NodeState state;
    private final MergePath merge;
    private final PeerTracker peers;
    private final Outbox out;
    /** When entries of each origin new to this replica last came from the merge queue. */
    private final Map<String, Long> lastArrival = new HashMap<>();

    AntiEntropy(NodeConfig config, NodeState state, MergePath merge, PeerTracker peers, Outbox out) {
        this.config = config;
        this.state = state;
        this.merge = merge;
        this.peers = peers;
        this.out = out;
    }

    /** Entries of {@code origin} new to this replica were just taken from the merge queue. */
    void arrived(String origin, long now) {
        lastArrival.put(origin, now);
    }

    /**
     * Asks a serving peer for each origin's missing entries (not repeating a recent request). What a
     * peer announced but this replica lacks is not asked for while that origin's entries keep
     * arriving (within a status interval): they are most likely still in this replica's merge queue,
     * and asking for them during a backlog had every announcement bring a resend of thousands of
     * entries the queue was about to deliver anyway. Once they stop arriving, the rest is asked for.
     * A hole, or a missing causal predecessor, is asked for at once as before.
     */
    void askForGaps(long now) {
        String self = config.self();
        TreeMap<String, Long> wanted = new TreeMap<>(merge.missing());
        for (String origin : config.replicaIds()) {
            if (origin.equals(self)) {
                continue; // a joining replica fetches its own stream itself (JoinProcess)
            }
            long next = state.applied(origin) + 1;
            if (peers.highestAnnounced(origin) >= next && !merge.holdsNext(origin) && !stillArriving(origin, now)) {
                wanted.merge(origin, next, Math::min);
            }
        }
        wanted.forEach((origin, from) -> {
            if (origin.equals(self) || peers.recentlyAsked(origin, from, now)) {
                return;
            }
            String target = peers.resendTarget(origin, from, self, now);
            if (target != null && !target.equals(self)) {
                out.direct(target, new ResendRequest(origin, from, self, target));
                peers.asked(origin, from, now);
            }
        });
    }

    private boolean stillArriving(String origin, long now) {
        Long at = lastArrival.get(origin);
        return at != null && now - at < config.statusIntervalMillis();
    }

    /** Deletes op-log entries every replica has announced it applied (never beyond what this one applied). */
    void compact() {
        for (String origin : config.replicaIds()) {
            long floor = Math.min(state.applied(origin), peers.everyPeerApplied(origin));
            if (floor > state.compacted(origin)) {
                state.setCompacted(origin, floor);
            }
        }
    }
}
