package fulcrum.core.node;

import fulcrum.core.protocol.ResendRequest;
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

    AntiEntropy(NodeConfig config, NodeState state, MergePath merge, PeerTracker peers, Outbox out) {
        this.config = config;
        this.state = state;
        this.merge = merge;
        this.peers = peers;
        this.out = out;
    }

    /** Asks a serving peer for each origin's missing entries (not repeating a recent request). */
    void askForGaps(long now) {
        String self = config.self();
        TreeMap<String, Long> wanted = new TreeMap<>(merge.missing());
        for (String origin : config.replicaIds()) {
            if (origin.equals(self)) {
                continue; // a joining replica fetches its own stream itself (JoinProcess)
            }
            long next = state.applied(origin) + 1;
            if (peers.highestAnnounced(origin) >= next && !merge.holdsNext(origin)) {
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
