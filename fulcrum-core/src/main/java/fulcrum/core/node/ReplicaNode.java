package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StateReader;
import fulcrum.core.store.StoreBatch;
import fulcrum.core.store.StoreMeta;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One Fulcrum replica, with no I/O: shaped like etcd raft's {@code Node}. The caller feeds it what
 * arrives (commands, peers' messages, announcements, the time) and asks it {@link #ready()} what to
 * do; it commits the batch, publishes and waits for the confirms, answers, acks, announces, in the
 * order {@link Ready} gives, then calls {@link #advance}. The worker daemon is that caller over
 * RabbitMQ and RocksDB; the simulations are that caller over an in-memory broker and
 * {@code MemoryStore}: the same node runs in both.
 *
 * <p>Readys may be pipelined: inputs may arrive, and later Readys be handed out, while earlier ones
 * are still being carried out (each Ready's batch stays readable here until it is advanced). Readys
 * must be committed, and advanced, in the order they were handed out. When one is advanced as not
 * delivered, every Ready handed out before that is not {@link #deliverable} any more: its answers
 * may depend on entries whose publication failed, so it must be handed back (acks requeued, nothing
 * answered) and advanced as not delivered too; what they carried is published again.
 */
public final class ReplicaNode {
    private final NodeConfig config;
    private final String self;
    private final StateView view;
    private final NodeState state;
    private final EntryApplier applier;
    private final CommandPath commands;
    private final MergePath merge;
    private final PeerTracker peers;
    private final JoinProcess join;
    private final SnapshotServer snapshots;
    private final OwnStream own;
    private final AntiEntropy antiEntropy;
    private final StatusReporter status;
    private final PeerInbox inbox;
    private final NodeCounters counters = new NodeCounters();
    private final Outbox out = new Outbox(counters);
    private final HandedOutReadys handedOut = new HandedOutReadys();
    private final DueWork due = new DueWork();

    private long now;
    private long nextReadyId = 1;
    private long nextMergeMillis;
    private long nextAntiEntropyMillis;
    /** A command was answered or acknowledged since the last Ready: eager mode publishes everything first. */
    private boolean commandsTaken;

    public ReplicaNode(NodeConfig config, StateReader store, long nowMillis) {
        this(config, store, nowMillis, NodeRules.ALL);
    }

    /** With some rules switched off: only for the simulations that show each rule is needed. */
    ReplicaNode(NodeConfig config, StateReader store, long nowMillis, NodeRules nodeRules) {
        this.config = Objects.requireNonNull(config, "config");
        this.self = config.self();
        StoreMeta meta = store.meta();
        if (!meta.replicaId().equals(self)) {
            throw new IllegalArgumentException("the store belongs to " + meta.replicaId() + ", not to " + self);
        }
        this.view = new StateView(store, config.maxKeptAnswers());
        this.state = new NodeState(self, view, meta);
        this.applier = new EntryApplier(config.replicaIds(), view);
        this.commands = new CommandPath(self, config.replicaIds(), view, state, applier, nodeRules, counters);
        this.merge = new MergePath(self, config.replicaIds(), view, state, applier, nodeRules.causalDelivery());
        this.peers = new PeerTracker(config.peers(), config.statusIntervalMillis());
        this.join = new JoinProcess(config, state, view, merge, out, nodeRules.completeJoin());
        this.snapshots = new SnapshotServer(self, store, config.snapshotPageItems(), config.snapshotLeaseMillis(),
                config.maxSnapshotSessions());
        this.own = new OwnStream(config, view, state, out);
        this.antiEntropy = new AntiEntropy(config, state, merge, peers, out);
        this.status = new StatusReporter(config, state, applier, join);
        this.inbox = new PeerInbox(config, state, merge, peers, join, snapshots, own, antiEntropy, status, out, counters,
                due);
        this.now = nowMillis;
        this.nextMergeMillis = nowMillis + config.mergeIntervalMillis();
        this.nextAntiEntropyMillis = nowMillis;
        switch (meta.phase()) {
            case NEW -> {
                state.setIncarnation(config.incarnation());
                if (config.peers().isEmpty()) {
                    state.setPhase(Phase.SERVING);
                } else {
                    state.setPhase(Phase.JOINING);
                    join.start(nowMillis);
                    out.note("new store: joining the cluster as incarnation " + config.incarnation());
                }
            }
            case JOINING -> {
                join.start(nowMillis);
                out.note("a join was interrupted: joining again from nothing (incarnation " + state.incarnation + ")");
            }
            case SERVING -> {
                // OwnStream publishes what a crash left unpublished
            }
        }
    }

    // ---- observation ---------------------------------------------------------------------------

    public String id() {
        return self;
    }

    public boolean serving() {
        return state.serving();
    }

    /**
     * Whether the caller should feed commands now: the replica serves and, in eager mode, has no more
     * own entries waiting for publication than one answering Ready may carry (after a crash or a
     * switch from interval mode it publishes its backlog first, a bounded round per Ready). A command
     * fed when this is false is handed back (requeued).
     */
    public boolean takesCommands() {
        return serving() && !own.tooFarBehindToAnswer();
    }

    public Phase phase() {
        return state.phase;
    }

    public long incarnation() {
        return state.incarnation;
    }

    public Map<String, Long> applied() {
        return state.applied();
    }

    public long published() {
        return state.published;
    }

    /** The clock this replica holds for {@code planet}, uncommitted writes included (zero when unknown). */
    public VectorClock clockOf(String planet) {
        return applier.clockOf(planet);
    }

    public NodeStats stats() {
        // one look at each origin's last held entry (a store seek) serves the three counts that need it
        long waiting = 0;
        long opLogLength = 0;
        TreeMap<String, Long> behind = new TreeMap<>();
        for (String origin : config.replicaIds()) {
            long last = view.lastOperationSeq(origin);
            long applied = state.applied(origin);
            waiting += Math.max(0, last - applied);
            opLogLength += Math.max(0, last - state.compacted(origin)); // gaps included
            if (!origin.equals(self)) {
                long known = Math.max(Math.max(applied, last), peers.highestAnnounced(origin));
                behind.put(origin, known - applied);
            }
        }
        return new NodeStats(state.phase, state.incarnation, state.applied(), state.published, state.compacted(),
                waiting, commands.executed(), commands.refused(), commands.answeredFromRecord(),
                merge.appliedTotal(), merge.rejectedTotal(), counters.deadLettersTotal(), counters.deadLettersByCode(),
                applier.conflicts(), join.progress(), snapshots.open(), snapshots.pagesServed(),
                counters.commands(), counters.mergeRounds(), counters.sent(), counters.received(), counters.deadLetters(),
                behind, opLogLength, refusedSenders());
    }

    /** Peer messages refused by {@link PeerAuthentication}, by sender ("" for messages without user_id). */
    public Map<String, Long> refusedSenders() {
        return counters.refusedSenders();
    }

    // ---- inputs --------------------------------------------------------------------------------

    /** A client's command or query, decoded and valid. */
    public void onCommand(DeliveryRef ref, ReplyAddress address, String commandId, Command command, VectorClock required) {
        if (!takesCommands()) {
            out.requeues.add(ref); // only while the caller stops consuming; never served from a partial state
            return;
        }
        out.reply(address, decide(commandId, command, required));
        out.ack(ref);
    }

    /** A command decided by the command path (which counts it: it alone knows whether the answer came from a record). */
    private Reply decide(String commandId, Command command, VectorClock required) {
        Reply reply = commands.handle(Objects.requireNonNull(commandId, "commandId"), command, required);
        commandsTaken = true;
        if (command.kind().isWrite()) {
            status.changed();
        }
        return reply;
    }

    /**
     * Several commands in one delivery (a client's batch to this replica): each is decided as if it
     * had come alone, in the batch's order, and answered with its id; the delivery is acked once, by
     * the Ready that answers them all, so a crash before that Ready is delivered brings the whole
     * batch back and every command of it is answered again from its record. A command that breaks
     * the rules is answered with its error but the delivery is not dead-lettered: it carried others,
     * already executed.
     */
    public void onCommandBatch(DeliveryRef ref, ReplyAddress address, List<BatchedCommand> batch) {
        if (batch.isEmpty() || batch.size() > BatchedCommand.MAX_PER_BATCH) {
            throw new IllegalArgumentException("a batch holds 1.." + BatchedCommand.MAX_PER_BATCH + " commands, got " + batch.size());
        }
        if (!takesCommands()) {
            out.requeues.add(ref);
            return;
        }
        for (BatchedCommand item : batch) {
            if (item instanceof BatchedCommand.Valid valid) {
                out.batchedReply(address, valid.commandId(), decide(valid.commandId(), valid.command(), valid.required()));
            } else if (item instanceof BatchedCommand.Invalid invalid) {
                out.batchedReply(address, invalid.commandId(),
                        Reply.failure(invalid.kind(), null, null, self, null, invalid.code(), invalid.reason()));
                counters.badCommand(invalid.kind(), invalid.code());
            }
        }
        out.ack(ref);
    }

    /** A command that could not be decoded or breaks the rules: answered and dead-lettered. */
    public void onBadCommand(DeliveryRef ref, ReplyAddress address, CommandKind kind, ErrorCode code, String reason) {
        out.reply(address, Reply.failure(kind, null, null, self, null, code, reason));
        counters.badCommand(kind, code);
        out.deadLetter(ref, code, reason);
    }

    /** A message from a peer (merge queue) or an announcement (status), decoded but not yet checked. */
    public void onPeerMessage(DeliveryRef ref, PeerMessage message) {
        onPeerMessage(ref, null, message);
    }

    /**
     * A peer message with its sender, the AMQP {@code user_id} the broker vouched for (null when the
     * message carried none): see {@link PeerInbox}.
     */
    public void onPeerMessage(DeliveryRef ref, String sender, PeerMessage message) {
        inbox.accept(ref, sender, message, now);
    }

    /**
     * A delta this replica published itself, back from the fanout (every replica's merge queue is
     * bound to it, its own too), told by its properties before its body is read. A serving replica
     * holds its own entries already and drops it unread: decoding a replica's own deltas was a
     * third of the merge intake's parsing. Returns false when it must be decoded and fed as usual
     * (a joining replica takes its own entries back from its peers' copies and its own queue).
     * Dropping is safe whoever sent it: a peer's real entries are asked for again once they stop
     * arriving, and forged ones in this replica's name are never taken by a serving replica.
     */
    public boolean onOwnDeltaEcho(DeliveryRef ref) {
        if (!serving()) {
            return false;
        }
        out.ack(ref);
        return true;
    }

    /** A peer message that could not be decoded (not JSON, unknown type, too large…). */
    public void onBadPeerMessage(DeliveryRef ref, ErrorCode code, String reason) {
        out.deadLetter(ref, code, reason);
    }

    /**
     * The time passes: merge rounds, anti-entropy, compaction, timeouts, announcements. Call it at
     * the start of each round, before the round's inputs.
     */
    public void tick(long nowMillis) {
        now = Math.max(now, nowMillis);
        if (now >= nextMergeMillis) {
            nextMergeMillis = now + config.mergeIntervalMillis();
            counters.mergeRound(NodeCounters.ROUND_INTERVAL);
            own.markDue();
            due.gapCheck = true;
        }
        if (now >= nextAntiEntropyMillis) {
            nextAntiEntropyMillis = now + config.statusIntervalMillis();
            due.gapCheck = true;
            snapshots.expire(now);
            if (serving()) {
                antiEntropy.compact();
            }
        }
        if (due.rejoin && serving()) {
            rejoin();
        }
        if (join.joining()) {
            join.tick(now, peers);
        }
    }

    // ---- output --------------------------------------------------------------------------------

    /** What to do next, or null when there is nothing. */
    public Ready ready() {
        if (due.drain && (!join.joining() || join.takesEntries())) {
            due.drain = false;
            if (merge.drain() > 0) {
                status.changed();
                if (join.joining()) {
                    join.progressed();
                }
            }
        }
        String rejection = merge.takeLastRejection();
        if (rejection != null) {
            out.note(rejection);
        }
        if (due.gapCheck && (!join.joining() || join.takesEntries())) {
            due.gapCheck = false;
            antiEntropy.askForGaps(now);
        }
        long publishesThrough = own.collect(serving(), commands.takeRefusalThrough(), commandsTaken);
        commandsTaken = false;
        state.writePublishedMark();
        ReplicaStatus announcement = status.take(now);
        if (view.batch().isEmpty() && out.isEmpty() && announcement == null) {
            return null; // notes alone make no Ready; they wait for the next one
        }
        StoreBatch batch = view.take();
        Ready ready = new Ready(nextReadyId++, batch, out.messages, out.deadLetters, out.replies, out.acks, out.requeues,
                announcement, serving(), out.notes);
        out.clear();
        handedOut.add(ready, publishesThrough);
        return ready;
    }

    /**
     * Whether {@code ready}, handed out and not yet advanced, may still be delivered: false once a
     * Ready handed out before it was advanced as not delivered (a pipelined Ready whose answers may
     * rest on that one's unconfirmed entries).
     */
    public boolean deliverable(Ready ready) {
        return handedOut.deliverable(ready);
    }

    /**
     * The caller carried out {@code ready} (its batch is committed). {@code delivered} is false when
     * publishing failed: then nothing after the commit happened (the caller requeued the acks), and
     * whatever the Ready published is published again, and so is what every Ready handed out since
     * carries: those are not {@link #deliverable} any more. Handing back one of those changes nothing
     * else: the Readys handed out after the failure already publish again from the confirmed mark.
     *
     * @throws IllegalStateException when Readys are advanced out of order, or an undeliverable one
     *                               as delivered
     */
    public void advance(Ready ready, boolean delivered) {
        HandedOutReadys.Pending p = handedOut.advance(ready, delivered);
        view.committed(ready.commit());
        if (delivered) {
            own.delivered(p.publishesThrough());
            counters.sent(ready, config.peers());
        } else if (!p.undeliverable()) {
            own.failed(); // publish again what this and later Readys carried
            handedOut.poisonAll(state.published);
        }
        // else: handed back because an earlier one failed; that failure already republishes what it
        // carried, and the Readys handed out since then are sound (poisoning them too would keep a
        // busy pipeline handing back forever)
        if (join.joining()) {
            join.progressed();
        }
    }

    // ---- rejoin ----------------------------------------------------------------------------------

    /**
     * Leaves serving for a new join; only between rounds (nothing decided and unsent) and when
     * everything this replica wrote is published, so that its peers hold all of it.
     */
    private void rejoin() {
        if (!own.everythingPublished() || !handedOut.isEmpty() || !view.batch().isEmpty() || !out.isEmpty()) {
            own.markDue();
            return; // tried again at the next tick
        }
        due.rejoin = false;
        long next = config.incarnation() != state.incarnation ? config.incarnation() : config.incarnation() + 1;
        state.setIncarnation(next);
        state.setPhase(Phase.JOINING);
        join.start(now);
        status.changed();
    }

    List<Ready> outstandingReadys() {
        return handedOut.readys();
    }
}
