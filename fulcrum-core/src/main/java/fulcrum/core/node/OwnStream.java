package fulcrum.core.node;

import fulcrum.core.protocol.Compacted;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.replica.Operation;
import java.util.List;

/**
 * Publishing this replica's own entries, and answering peers' requests for entries it holds.
 * In {@link NodeConfig.Replication#EAGER} mode every Ready that answers or acknowledges a command
 * carries every own entry not yet published, so a write (or a read that shows it) is answered, and
 * its message taken off the queue, only once its entry is on the fanout; in
 * {@link NodeConfig.Replication#INTERVAL} mode a bounded round goes out when a merge is due. A Ready that answers nothing carries a bounded round in either mode, so a large backlog
 * (a store that crashed or ran in interval mode with much unpublished, a store built offline) goes
 * out over several Readys instead of all of its entries at once in memory; in eager mode the replica
 * takes no command while more than {@link #MAX_UNPUBLISHED_TO_ANSWER} own entries wait, so that the
 * Ready that answers one is bounded too. The published mark moves only when the caller reports the
 * Ready delivered (confirmed).
 */
final class OwnStream {
    /**
     * Deltas one Ready publishes of a backlog (a merge round in interval mode, a Ready that takes no
     * command in eager mode); the rest follows in the next Ready. Every entry of a round is decoded
     * from the op log and encoded into its delta while the Ready is in flight: with 64 deltas (32,000
     * entries) a worker publishing a 333,334-entry backlog kept 50 to 130 MiB live between young
     * collections and spent 6.7 s of a 62 s merge in the garbage collector; with 8, 0.6 s.
     */
    static final int MAX_DELTAS_PER_ROUND = 8;
    /** Entries one resend answer carries at most; the requester asks again for the rest. */
    static final int MAX_RESEND_ENTRIES = 8 * Delta.MAX_OPS;
    /**
     * In eager mode, above this many own entries not yet handed out for publication the replica takes
     * no command: the Ready answering one would have to publish all of them. Larger than a round, so
     * that a burst of commands in one Ready (a bulk load: 256 deliveries of 64 commands each) is
     * answered rather than requeued.
     */
    static final long MAX_UNPUBLISHED_TO_ANSWER = 64L * Delta.MAX_OPS;

    private final NodeConfig config;
    private final StateView view;
    private final NodeState state;
    private final Outbox out;
    /** Own entries up to here are in a Ready handed out (published once it is advanced as delivered). */
    private long publishing;
    private boolean due;

    OwnStream(NodeConfig config, StateView view, NodeState state, Outbox out) {
        this.config = config;
        this.view = view;
        this.state = state;
        this.out = out;
        this.publishing = state.published;
        this.due = state.published < state.ownApplied(); // what a crash left unpublished
    }

    /** A merge round (interval, MergeNow, a failed publication, a rejoin that waits) wants publishing. */
    void markDue() {
        due = true;
    }

    /**
     * Puts own entries not yet published into the next Ready.
     *
     * @param serving             only a serving replica publishes: a joining one's older entries are its peers' already
     * @param mustPublishThrough  own entries up to here are published in this Ready whatever the mode
     * @param answers             whether the Ready answers or acknowledges a command: in eager mode it then publishes everything
     * @return the highest own entry the next Ready publishes
     */
    long collect(boolean serving, long mustPublishThrough, boolean answers) {
        publishing = Math.max(publishing, state.published);
        long through = publishing;
        if (!serving) {
            return through;
        }
        if (mustPublishThrough > publishing) {
            due = true; // a refusal answered in this Ready: published first, whatever the mode
        }
        if (config.peers().isEmpty()) {
            state.published = state.ownApplied(); // nobody to publish to
            publishing = state.published;
            return publishing;
        }
        if (!eager() && !due) {
            return through;
        }
        if (eager() && answers) {
            mustPublishThrough = state.ownApplied(); // no answer before the entries it may rest on are out
        }
        long from = Math.max(publishing, state.compacted(config.self())) + 1;
        int deltas = 0;
        while (from <= state.ownApplied() && (deltas < MAX_DELTAS_PER_ROUND || from <= mustPublishThrough)) {
            List<Operation> entries = view.operations(config.self(), from, Delta.MAX_OPS);
            if (entries.isEmpty()) {
                break;
            }
            out.fanout(new Delta(config.self(), entries));
            deltas++;
            through = entries.get(entries.size() - 1).originSeq();
            from = through + 1;
        }
        due = from <= state.ownApplied();
        publishing = through;
        return through;
    }

    /** The Ready that published up to {@code through} was confirmed. */
    void delivered(long through) {
        state.published = Math.max(state.published, Math.min(through, state.ownApplied()));
    }

    /** A Ready's publication failed: publish again from the confirmed mark. */
    void failed() {
        publishing = state.published;
        due = true;
    }

    boolean everythingPublished() {
        return state.published >= state.ownApplied();
    }

    /**
     * In eager mode, whether more own entries wait for publication than the Ready answering a command
     * may carry: then the replica takes no command until earlier Readys have carried them out.
     */
    boolean tooFarBehindToAnswer() {
        return eager() && !config.peers().isEmpty()
                && state.ownApplied() - Math.max(publishing, state.published) > MAX_UNPUBLISHED_TO_ANSWER;
    }

    private boolean eager() {
        return config.replication() == NodeConfig.Replication.EAGER;
    }

    /** Answers a peer's request from the op log (any holder answers), saying what was compacted. */
    void answer(ResendRequest request) {
        String origin = request.origin();
        long from = request.fromSeq();
        long floor = state.compacted(origin);
        if (from <= floor) {
            out.direct(request.requester(), new Compacted(config.self(), request.requester(), origin, floor));
            from = floor + 1;
        }
        List<Operation> entries = view.operations(origin, from, MAX_RESEND_ENTRIES);
        for (int i = 0; i < entries.size(); i += Delta.MAX_OPS) {
            out.direct(request.requester(), new Delta(origin, entries.subList(i, Math.min(entries.size(), i + Delta.MAX_OPS))));
        }
    }
}
