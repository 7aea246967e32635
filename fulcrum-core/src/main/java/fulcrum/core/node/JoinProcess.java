package fulcrum.core.node;

import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.protocol.SnapshotChunk;
import fulcrum.core.protocol.SnapshotRequest;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.PlanetClock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a replica whose store is new (or lost) joins the cluster before it serves anything:
 * <ol>
 *   <li><b>asking</b>: it publishes a {@link JoinRequest} on the merge fanout. Each peer's copy sits
 *       behind everything the replica's previous incarnation published, so each peer's
 *       {@link JoinOffer} reflects all of that: what the peer applied, and how far it holds this
 *       replica's own stream.</li>
 *   <li><b>copying</b>: from the first serving peer with data it copies a snapshot, page by page.
 *       If every peer answers and none has data, the cluster is new and there is nothing to copy.</li>
 *   <li><b>catching up</b>: it applies peers' entries as usual and fetches the rest of its own
 *       previous stream, until it holds as much of it as any peer. Only then does it serve, under its
 *       new incarnation, numbering on from there: no entry id is ever reused, no clock entry counts a
 *       write twice, and the refusals and applications of its previous life (command records) are
 *       known, so a re-sent command is not applied again.</li>
 * </ol>
 * Every peer must answer before the replica serves: a peer that is down may hold the newest part of
 * the previous stream. A join that stalls starts again; a crash while joining restarts it from
 * nothing (the store says JOINING).
 */
final class JoinProcess {
    enum Stage { ASKING, COPYING, CATCHING_UP, DONE }

    private final NodeConfig config;
    private final NodeState state;
    private final StateView view;
    private final MergePath merge;
    private final Outbox out;
    private Stage stage = Stage.DONE;
    private String requestId;
    private long attempt;
    private final Map<String, JoinOffer> offers = new TreeMap<>();
    private String source;
    private String cursor;
    private long nextPage;
    private long pages;
    private long items;
    private long lastProgressMillis;
    private long lastOwnRequestMillis;
    private Map<String, Long> snapshotApplied;
    private Map<String, List<IncarnationStart>> snapshotIncarnations;
    private final boolean complete;

    JoinProcess(NodeConfig config, NodeState state, StateView view, MergePath merge, Outbox out, boolean complete) {
        this.complete = complete;
        this.config = config;
        this.state = state;
        this.view = view;
        this.merge = merge;
        this.out = out;
    }

    Stage stage() {
        return stage;
    }

    boolean joining() {
        return stage != Stage.DONE;
    }

    /** Peers' entries are taken only once the snapshot is in (before, they would land on nothing). */
    boolean takesEntries() {
        return stage == Stage.CATCHING_UP;
    }

    /** Starts (or starts again) from an empty store. */
    void start(long now) {
        state.clearData();
        offers.clear();
        source = null;
        cursor = null;
        nextPage = 0;
        pages = 0;
        items = 0;
        snapshotApplied = null;
        snapshotIncarnations = null;
        attempt++;
        requestId = config.self() + "-" + state.incarnation + "-" + Long.toHexString(config.nonce()) + "-" + attempt;
        stage = Stage.ASKING;
        lastProgressMillis = now;
        out.fanout(new JoinRequest(config.self(), state.incarnation, requestId));
    }

    void onOffer(JoinOffer offer, long now) {
        if (stage == Stage.DONE || !offer.requestId().equals(requestId)) {
            return; // an answer to an earlier attempt
        }
        offers.put(offer.from(), offer);
        lastProgressMillis = now;
        if (stage == Stage.ASKING) {
            if (offer.phase() == Phase.SERVING && offer.hasData()) {
                source = offer.from();
                stage = Stage.COPYING;
                out.direct(source, new SnapshotRequest(config.self(), source, requestId, 0, null));
            } else if (offers.size() == config.peers().size() && offers.values().stream().noneMatch(JoinOffer::hasData)
                    && state.deleted().values().stream().allMatch(v -> v == 0)) {
                // Nothing to copy: a new cluster, or one whose every replica is rebuilding from its op log
                // (held entries are applied next). Not if any op log was compacted: those entries'
                // effects live only in a state, so this replica waits for a peer that serves with data.
                stage = Stage.CATCHING_UP;
            }
        }
        finishIfComplete();
    }

    void onChunk(SnapshotChunk chunk, long now) {
        if (stage != Stage.COPYING || !chunk.requestId().equals(requestId) || !chunk.from().equals(source)
                || chunk.pageNo() != nextPage) {
            return; // a late or repeated page
        }
        if (chunk.error() != null) {
            start(now); // the source lost the join (restart, lease): ask everyone again
            return;
        }
        if (chunk.pageNo() == 0) {
            snapshotApplied = new TreeMap<>(chunk.applied());
            snapshotIncarnations = new TreeMap<>(chunk.incarnations());
        }
        for (PlanetClock c : chunk.clocks()) {
            view.putClock(c.planet(), c.clock());
        }
        for (CityEntry c : chunk.cities()) {
            view.putCity(c.planet(), null, c.city());
        }
        for (CommandRecord r : chunk.commands()) {
            view.putCommandRecord(r);
        }
        pages++;
        items += chunk.items();
        nextPage++;
        lastProgressMillis = now;
        if (!chunk.last()) {
            cursor = chunk.nextCursor();
            out.direct(source, new SnapshotRequest(config.self(), source, requestId, nextPage, cursor));
            return;
        }
        snapshotApplied.forEach((origin, seq) -> {
            if (seq > 0) {
                state.setApplied(origin, seq);
                state.raiseFloor(origin, seq); // entries up to here came in the snapshot; held ones are kept
            }
        });
        snapshotIncarnations.forEach((origin, starts) -> starts.forEach(s -> state.addIncarnationStart(origin, s)));
        stage = Stage.CATCHING_UP;
        finishIfComplete();
    }

    /** Timeouts and the fetching of the own previous stream. */
    void tick(long now, PeerTracker peers) {
        if (stage == Stage.DONE) {
            return;
        }
        if ((stage == Stage.ASKING || stage == Stage.COPYING) && now - lastProgressMillis > config.joinTimeoutMillis()) {
            if (stage == Stage.ASKING) {
                lastProgressMillis = now;
                out.fanout(new JoinRequest(config.self(), state.incarnation, requestId)); // ask again; answers repeat
            } else {
                start(now);
            }
            return;
        }
        if (stage == Stage.CATCHING_UP && state.ownApplied() < ownHeld()
                && now - lastOwnRequestMillis > config.statusIntervalMillis()) {
            String target = holderOfOwnStream(peers);
            if (target != null) {
                out.direct(target, new ResendRequest(config.self(), state.ownApplied() + 1, config.self(), target));
                lastOwnRequestMillis = now;
            }
        }
        finishIfComplete();
    }

    /** Serves once every peer answered and this replica holds as much of its own stream as any of them. */
    private void finishIfComplete() {
        if (stage != Stage.CATCHING_UP || (complete && (offers.size() < config.peers().size() || state.ownApplied() < ownHeld()))) {
            return;
        }
        state.published = state.ownApplied(); // the previous incarnation's entries came from the peers: they hold them
        state.setPhase(Phase.SERVING);
        stage = Stage.DONE;
    }

    /** Called after own-stream entries were applied: maybe the join is complete now. */
    void progressed() {
        finishIfComplete();
    }

    private long ownHeld() {
        long max = merge.held(config.self()); // its own op log may hold some of its previous stream
        for (JoinOffer o : offers.values()) {
            max = Math.max(max, o.heldOfRequester());
        }
        return max;
    }

    /**
     * Whom to ask for the own previous stream: a serving peer that announced applying the most of
     * it (applied entries have no gaps), else the peer whose offer held the most.
     */
    private String holderOfOwnStream(PeerTracker peers) {
        String best = null;
        long bestApplied = state.ownApplied();
        for (String peer : config.peers()) {
            ReplicaStatus s = peers.latest(peer);
            long applied = s == null || s.phase() != Phase.SERVING ? 0 : s.applied().getOrDefault(config.self(), 0L);
            if (applied > bestApplied) {
                best = peer;
                bestApplied = applied;
            }
        }
        if (best != null) {
            return best;
        }
        long bestHeld = state.ownApplied();
        for (JoinOffer o : offers.values()) {
            if (o.heldOfRequester() > bestHeld) {
                best = o.from();
                bestHeld = o.heldOfRequester();
            }
        }
        return best;
    }

    ReplicaStatus.JoinProgress progress() {
        if (stage == Stage.DONE) {
            return null;
        }
        return new ReplicaStatus.JoinProgress(stage.name().toLowerCase().replace('_', '-'), source, pages, items, ownHeld());
    }
}
