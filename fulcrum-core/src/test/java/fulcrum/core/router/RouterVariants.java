package fulcrum.core.router;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.session.SessionRouting;
import java.util.List;
import java.util.Random;

/**
 * Router cores for the simulations in other packages: the production one, and one with the write
 * order broken on purpose, which a simulation must catch.
 */
public final class RouterVariants {
    private RouterVariants() {
    }

    /** How the router orders a write. */
    public enum WriteOrder {
        /** by the message alone (its last replica, then the command id): production */
        FIXED_BY_THE_MESSAGE,
        /**
         * like a query, by what the core knows when this attempt arrives (replicas known to dominate
         * first, in a random order): every attempt of one command may walk another order
         */
        FOLLOWS_KNOWLEDGE
    }

    /** A core with {@code order} for writes; {@code seed} draws the shuffles of the broken order. */
    public static RouterCore core(List<String> replicas, RouterLimits limits, WriteOrder order, long seed) {
        if (order == WriteOrder.FIXED_BY_THE_MESSAGE) {
            return new RouterCore(replicas, limits);
        }
        SessionRouting routing = new SessionRouting(replicas, new Random(seed));
        return new RouterCore(replicas, limits, (messageId, envelope, knowledge) -> routing.order(
                envelope.command().planet(),
                envelope.requiredClock() == null ? VectorClock.empty() : envelope.requiredClock(),
                envelope.lastReplica(), knowledge));
    }
}
