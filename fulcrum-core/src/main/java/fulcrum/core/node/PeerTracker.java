package fulcrum.core.node;

import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.store.Phase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this replica knows of its peers from their announcements: what each has applied, and so
 * which op-log entries every replica holds (compaction) and whom to ask for what is missing.
 *
 * <p>A peer that announces a new incarnation, or whose join request arrives, is forgotten until it
 * announces again as serving: nothing is compacted that a joining replica may still need.
 */
final class PeerTracker {
    /** Above what this replica knows exists of an origin, a claim is not believed (a forged or broken status). */
    static final long MAX_STATUS_LEAD = 1L << 20;

    private record Heard(ReplicaStatus status, long atMillis) {
    }

    private final List<String> peers;
    private final long silentAfterMillis;
    private final Map<String, Heard> latest = new TreeMap<>();
    private final Map<String, long[]> lastRequest = new HashMap<>(); // origin -> {fromSeq, atMillis}
    private final long requestBackoffMillis;

    PeerTracker(List<String> peers, long statusIntervalMillis) {
        this.peers = peers;
        this.silentAfterMillis = 3 * statusIntervalMillis;
        this.requestBackoffMillis = 3 * statusIntervalMillis;
    }

    /**
     * Checks a peer's announcement against what this replica knows, and keeps it when it holds up.
     *
     * @param ownApplied this replica's applied vector
     * @param knownMax   per origin, the highest sequence number this replica knows to exist
     * @param serving    whether this replica's own stream is complete (a joining replica's is not)
     * @return null when kept, else why it was refused
     */
    String accept(ReplicaStatus status, Map<String, Long> ownApplied, Map<String, Long> knownMax, String self,
                  boolean serving, long now) {
        long claimsOfMine = status.applied().getOrDefault(self, 0L);
        if (serving && claimsOfMine > ownApplied.getOrDefault(self, 0L)) {
            return status.replica() + " claims to have applied " + self + "#" + claimsOfMine + " but " + self
                    + " wrote only up to #" + ownApplied.getOrDefault(self, 0L)
                    + " (a forged status, or this store was restored from an old copy: then move its directory away"
                    + " so that the replica rejoins from its peers)";
        }
        for (Map.Entry<String, Long> e : status.applied().entrySet()) {
            // the sender's own stream too: no replica runs 2^20 entries ahead of everything its peers know
            long bound = knownMax.getOrDefault(e.getKey(), 0L) + MAX_STATUS_LEAD;
            if (e.getValue() > bound) {
                return status.replica() + " claims " + e.getKey() + "#" + e.getValue() + ", far beyond anything known of "
                        + e.getKey() + " (#" + knownMax.getOrDefault(e.getKey(), 0L) + ")";
            }
        }
        Heard before = latest.get(status.replica());
        if (before != null && before.status().incarnation() == status.incarnation()) {
            for (Map.Entry<String, Long> e : before.status().applied().entrySet()) {
                if (status.applied().getOrDefault(e.getKey(), 0L) < e.getValue()) {
                    return status.replica() + " announced " + e.getKey() + "#" + e.getValue() + " before and #"
                            + status.applied().getOrDefault(e.getKey(), 0L) + " now, in the same incarnation";
                }
            }
        }
        latest.put(status.replica(), new Heard(status, now));
        return null;
    }

    /** A peer is joining anew: forget what it announced, so that nothing it may need is compacted. */
    void forget(String peer) {
        latest.remove(peer);
    }

    ReplicaStatus latest(String peer) {
        Heard h = latest.get(peer);
        return h == null ? null : h.status();
    }

    boolean recentlyHeard(String peer, long now) {
        Heard h = latest.get(peer);
        return h != null && now - h.atMillis() <= silentAfterMillis;
    }

    /**
     * How far the entries of {@code origin} may be compacted: every peer has announced, as a
     * serving replica, that it applied them (a peer not heard, or joining, counts as 0).
     */
    long everyPeerApplied(String origin) {
        long min = Long.MAX_VALUE;
        for (String peer : peers) {
            Heard h = latest.get(peer);
            long seq = h == null || h.status().phase() != Phase.SERVING ? 0 : h.status().applied().getOrDefault(origin, 0L);
            min = Math.min(min, seq);
        }
        return min == Long.MAX_VALUE ? Long.MAX_VALUE : min;
    }

    /**
     * The highest sequence number of {@code origin} any peer announced it holds for others: what it
     * applied, and for the origin itself only what it published (the rest comes with its next
     * publication; asking for it would publish early).
     */
    long highestAnnounced(String origin) {
        long max = 0;
        for (Heard h : latest.values()) {
            long seq = h.status().applied().getOrDefault(origin, 0L);
            if (h.status().replica().equals(origin)) {
                seq = Math.min(seq, h.status().published());
            }
            max = Math.max(max, seq);
        }
        return max;
    }

    /**
     * Whom to ask for {@code origin}'s entries from {@code fromSeq}: the origin when it is a serving
     * peer heard lately (only serving replicas answer), else the serving peer that announced the most
     * of it.
     */
    String resendTarget(String origin, long fromSeq, String self, long now) {
        ReplicaStatus own = latest(origin);
        if (!origin.equals(self) && recentlyHeard(origin, now) && own != null && own.phase() == Phase.SERVING) {
            return origin;
        }
        String best = null;
        long bestSeq = -1;
        for (Map.Entry<String, Heard> e : latest.entrySet()) {
            ReplicaStatus s = e.getValue().status();
            long seq = s.applied().getOrDefault(origin, 0L);
            if (s.phase() == Phase.SERVING && seq >= fromSeq && seq > bestSeq) {
                best = e.getKey();
                bestSeq = seq;
            }
        }
        return best != null ? best : origin.equals(self) ? null : origin;
    }

    /** Whether asking again for (origin, fromSeq) now would repeat a recent request. */
    boolean recentlyAsked(String origin, long fromSeq, long now) {
        long[] last = lastRequest.get(origin);
        return last != null && last[0] == fromSeq && now - last[1] < requestBackoffMillis;
    }

    void asked(String origin, long fromSeq, long now) {
        lastRequest.put(origin, new long[] {fromSeq, now});
    }
}
