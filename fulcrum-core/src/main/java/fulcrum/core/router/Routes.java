package fulcrum.core.router;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.session.ReplicaKnowledge;
import fulcrum.core.session.SessionRouting;
import fulcrum.core.session.WriteRouting;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * The order in which one message is offered to the replicas, computed once when it arrives.
 * A write's order depends on the message alone ({@link WriteRouting}); a query's follows what the
 * router knows ({@link SessionRouting}), with ties and exploration drawn from a generator seeded
 * by the message id, so one message always gets one order for one state of knowledge.
 */
final class Routes {
    /** One query in this many is first offered to another replica than the preferred one. */
    static final int EXPLORE_ONE_IN = 8;

    private final List<String> replicas;
    private final WriteRouting writeRouting;

    Routes(List<String> replicas) {
        this.replicas = List.copyOf(new LinkedHashSet<>(replicas));
        this.writeRouting = new WriteRouting(this.replicas);
    }

    int replicaCount() {
        return replicas.size();
    }

    /** The replica set, distinct, in the configured order: what a write's order is drawn from. */
    List<String> replicas() {
        return replicas;
    }

    List<String> order(String messageId, ClientMessage.Decoded envelope, ReplicaKnowledge knowledge) {
        return envelope.command().kind().isWrite()
                ? writeRouting.order(messageId, envelope.lastReplica())
                : queryOrder(messageId, envelope, knowledge);
    }

    private List<String> queryOrder(String messageId, ClientMessage.Decoded envelope, ReplicaKnowledge knowledge) {
        VectorClock required = envelope.requiredClock() == null ? VectorClock.empty() : envelope.requiredClock();
        Random random = new Random(messageId.hashCode());
        List<String> order = new SessionRouting(replicas, random)
                .order(envelope.command().planet(), required, envelope.lastReplica(), knowledge);
        if (order.size() > 1 && random.nextInt(EXPLORE_ONE_IN) == 0) {
            // The router learns a replica's clocks only from its replies, so a replica that caught up
            // by merging would otherwise never be known to hold a session's state and never get its
            // queries. Now and then ask another one first: safe, because it answers STALE if it
            // lacks the state and the router then goes on down the order.
            order = new ArrayList<>(order);
            Collections.swap(order, 0, 1 + random.nextInt(order.size() - 1));
        }
        return order;
    }
}
