package fulcrum.core.node;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.Compacted;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.protocol.SnapshotChunk;
import fulcrum.core.protocol.SnapshotRequest;
import fulcrum.core.replica.Operation;
import java.util.TreeMap;

/**
 * Every message from a peer, on the merge queue or the status queue: who may send it
 * ({@link PeerAuthentication}), whether it means anything ({@link MessageRules}), then the part of the
 * node that takes its kind. Merge traffic is untrusted input: a message that breaks a rule is
 * dead-lettered with the reason, never applied, and never a reason to throw.
 */
final class PeerInbox {
    private final NodeConfig config;
    private final String self;
    private final NodeState state;
    private final MessageRules rules;
    private final MergePath merge;
    private final PeerTracker peers;
    private final JoinProcess join;
    private final SnapshotServer snapshots;
    private final OwnStream own;
    private final AntiEntropy antiEntropy;
    private final StatusReporter status;
    private final Outbox out;
    private final NodeCounters counters;
    private final DueWork due;

    PeerInbox(NodeConfig config, NodeState state, MergePath merge, PeerTracker peers, JoinProcess join,
              SnapshotServer snapshots, OwnStream own, AntiEntropy antiEntropy, StatusReporter status, Outbox out,
              NodeCounters counters, DueWork due) {
        this.config = config;
        this.self = config.self();
        this.state = state;
        this.rules = new MessageRules(self, config.replicaIds());
        this.merge = merge;
        this.peers = peers;
        this.join = join;
        this.snapshots = snapshots;
        this.own = own;
        this.antiEntropy = antiEntropy;
        this.status = status;
        this.out = out;
        this.counters = counters;
        this.due = due;
    }

    /**
     * A peer message with its sender, the AMQP {@code user_id} the broker vouched for (null when the
     * message carried none). A sender the {@link PeerAuthentication} does not admit is refused: acked
     * (a flood of forgeries must not fill the dead-letter queue), counted, noted once per sender.
     */
    void accept(DeliveryRef ref, String sender, PeerMessage message, long now) {
        String refusal = config.peerAuthentication().refusal(sender, message);
        if (refusal != null) {
            if (counters.refused(sender)) {
                out.note("refused " + refusal + " (further messages of this sender are refused without a note)");
            }
            out.ack(ref);
            return;
        }
        String problem = rules.problem(message);
        if (problem != null) {
            out.deadLetter(ref, ErrorCode.BAD_MESSAGE, problem);
            return;
        }
        if ((ref.source() == DeliveryRef.Source.STATUS) != (message instanceof ReplicaStatus)) {
            out.deadLetter(ref, ErrorCode.BAD_MESSAGE, message.type() + " on the wrong queue");
            return;
        }
        if (message instanceof Delta d) {
            onDelta(ref, d, now);
        } else if (message instanceof ResendRequest r) {
            if (r.target().equals(self)) {
                own.answer(r); // from the op log, whatever the phase: a joining replica may hold what a joiner needs
            }
        } else if (message instanceof Compacted c) {
            onCompacted(ref, c);
        } else if (message instanceof MergeNow) {
            counters.mergeRound(NodeCounters.ROUND_REQUESTED);
            own.markDue();
            status.force();
            due.gapCheck = true;
        } else if (message instanceof JoinRequest j) {
            onJoinRequest(j);
        } else if (message instanceof JoinOffer o) {
            join.onOffer(o, now);
            status.changed();
            due.drain = true;
        } else if (message instanceof SnapshotRequest s) {
            out.direct(s.from(), snapshots.serve(s, state.serving(), now));
        } else if (message instanceof SnapshotChunk c) {
            join.onChunk(c, now);
            status.changed();
            due.drain = true;
        } else if (message instanceof ReplicaStatus s) {
            onStatus(ref, s, now);
        }
        out.ack(ref);
    }

    private void onDelta(DeliveryRef ref, Delta delta, long now) {
        if (delta.origin().equals(self) && state.serving()) {
            Operation last = delta.operations().get(delta.operations().size() - 1);
            if (last.originSeq() > state.ownApplied()) {
                out.deadLetter(ref, ErrorCode.BAD_MESSAGE, "entries " + delta.origin() + "#"
                        + delta.operations().get(0).originSeq() + ".." + last.originSeq()
                        + " in this replica's name, beyond what it wrote (#" + state.ownApplied() + ")");
            }
            return; // own entries coming back on the fanout
        }
        counters.received(delta.origin(), delta.operations().size());
        // Held at once (durable with the ack); applied once there is a state to apply them to.
        boolean apply = !join.joining() || join.takesEntries();
        MergePath.Intake intake = merge.take(delta, apply);
        if (intake.problem() != null) {
            out.deadLetter(ref, ErrorCode.BAD_MESSAGE, intake.problem());
        }
        if (intake.applied() > 0) {
            status.changed();
            if (join.joining()) {
                join.progressed();
            }
        }
        if (intake.held() > 0) {
            antiEntropy.arrived(delta.origin(), now);
        }
        if (intake.held() > 0 && apply && merge.waiting() > 0) {
            due.gapCheck = true;
        }
    }

    private void onCompacted(DeliveryRef ref, Compacted c) {
        long known = highestKnown(c.origin());
        if (c.compactedUpTo() > known) {
            // nobody compacts what nobody has: a forged or broken answer must not make a replica rejoin
            out.deadLetter(ref, ErrorCode.BAD_MESSAGE, c.from() + " says it compacted " + c.origin() + " up to #"
                    + c.compactedUpTo() + ", beyond anything known of it (#" + known + ")");
            return;
        }
        if (!state.serving() || state.applied(c.origin()) >= c.compactedUpTo()) {
            return;
        }
        // Only the op log of a peer that every replica had announced applying those entries is
        // compacted, so a replica that still needs them lost its state (or was lied to): it rejoins.
        out.note(c.from() + " compacted " + c.origin() + " up to #" + c.compactedUpTo() + " but this replica has only #"
                + state.applied(c.origin()) + ": rejoining from a snapshot");
        due.rejoin = true; // at the start of the next round, when no decided write is in flight
    }

    private void onJoinRequest(JoinRequest request) {
        if (request.replica().equals(self)) {
            return; // own request coming back on the fanout
        }
        peers.forget(request.replica());
        out.direct(request.replica(), new JoinOffer(self, request.replica(), request.requestId(), state.phase,
                state.applied(), state.deleted(), merge.held(request.replica())));
        out.note(request.replica() + " joins (incarnation " + request.incarnation() + "): offered "
                + (state.serving() ? "a snapshot of " + state.applied() : "nothing, not serving"));
    }

    private void onStatus(DeliveryRef ref, ReplicaStatus announcement, long now) {
        if (announcement.replica().equals(self)) {
            // every replica hears its own announcements on the fanout; one it cannot have sent is forged
            if (announcement.incarnation() != state.incarnation
                    || announcement.applied().getOrDefault(self, 0L) > state.ownApplied()) {
                out.deadLetter(ref, ErrorCode.BAD_MESSAGE, "a status in this replica's name that it did not send");
            }
            return;
        }
        TreeMap<String, Long> known = new TreeMap<>();
        for (String origin : config.replicaIds()) {
            known.put(origin, highestKnown(origin));
        }
        String problem = peers.accept(announcement, state.applied(), known, self, state.serving(), now);
        if (problem != null) {
            out.deadLetter(ref, ErrorCode.BAD_MESSAGE, problem);
            return;
        }
        due.gapCheck = true;
    }

    /** The highest entry of {@code origin} this replica holds or a peer announced. */
    private long highestKnown(String origin) {
        return Math.max(merge.held(origin), peers.highestAnnounced(origin));
    }
}
