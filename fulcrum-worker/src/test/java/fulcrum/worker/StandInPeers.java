package fulcrum.worker;

import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.store.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * Peers the test plays itself, at the protocol level, over the real broker: they read their own
 * merge queues (so the test sees exactly what a worker sends its peers, and when), answer a worker's
 * join as replicas with no data (so a lone worker of a three-replica cluster serves), and send
 * whatever entries, requests and announcements a test scripts, valid or forged.
 */
final class StandInPeers {
    private final PeerWire wire;
    private final Map<String, List<PeerMessage>> received = new TreeMap<>();
    private final Set<PeerMessage> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());

    StandInPeers(PeerWire wire, String... peerIds) {
        this.wire = wire;
        for (String id : peerIds) {
            received.put(id, new ArrayList<>());
        }
    }

    /** Answers {@code joiner}'s join request, from every stand-in, as a serving replica with no data. */
    void answerJoin(String joiner) throws Exception {
        for (String peer : received.keySet()) {
            JoinRequest request = await(peer, JoinRequest.class, r -> r.replica().equals(joiner));
            wire.toQueue(joiner, new JoinOffer(peer, joiner, request.requestId(), Phase.SERVING, Map.of(), Map.of(), 0));
        }
    }

    /** Reads what is ready in {@code peer}'s merge queue now, without waiting; returns what it read. */
    List<PeerMessage> pullNow(String peer) throws Exception {
        List<PeerMessage> fresh = new ArrayList<>();
        for (PeerMessage m = wire.pull(peer); m != null; m = wire.pull(peer)) {
            fresh.add(m);
        }
        synchronized (this) {
            received.get(peer).addAll(fresh);
        }
        return fresh;
    }

    /**
     * Waits until {@code peer}'s merge queue delivered a message of {@code type} satisfying
     * {@code condition} that no earlier call returned, and returns the oldest such message.
     */
    <T extends PeerMessage> T await(String peer, Class<T> type, Predicate<T> condition) {
        return Awaitility.await(peer + " receives a " + type.getSimpleName()).atMost(TestClient.WAIT)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    pullNow(peer);
                    synchronized (this) {
                        for (PeerMessage m : received.get(peer)) {
                            if (type.isInstance(m) && !handedOut.contains(m) && condition.test(type.cast(m))) {
                                handedOut.add(m);
                                return type.cast(m);
                            }
                        }
                    }
                    return null;
                }, m -> m != null);
    }

    /** Everything {@code peer} read so far, of {@code type}, in arrival order. */
    synchronized <T extends PeerMessage> List<T> received(String peer, Class<T> type) {
        return received.get(peer).stream().filter(type::isInstance).map(type::cast).toList();
    }
}
