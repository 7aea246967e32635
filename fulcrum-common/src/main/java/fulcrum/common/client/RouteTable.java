package fulcrum.common.client;

import fulcrum.core.router.RouteAnswer;
import fulcrum.core.session.WriteRouting;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The route table a client learnt from Mos Eisley's last route answer: the router's replica set and
 * until when the client may compute its writes' orders from it itself, with the router's own
 * {@link WriteRouting}, instead of sending a route request. While fresh, {@link #order} is exactly
 * the route the router would answer for the same message (the order depends on the command id,
 * the last replica and the replica set alone).
 *
 * <p>No clock inside: the caller passes the time ({@link System#nanoTime()} in production).
 * Thread-safe: a pipeline's submitting threads ask it, its reply thread teaches it and makes it
 * forget.
 */
final class RouteTable {
    /** A table learnt, immutable: the routing over its replicas, when it came and for how long it holds. */
    private record Learnt(WriteRouting routing, long learntAtNanos, long validNanos) {
    }

    private volatile Learnt learnt;

    /**
     * Learns the table {@code answer} hands out, received at {@code nowNanos}; an answer with none
     * (refused, from an older router, validity 0) makes the table forgotten.
     */
    void learn(RouteAnswer answer, long nowNanos) {
        learnt = answer.ok() && answer.hasTable()
                ? new Learnt(new WriteRouting(answer.replicas()), nowNanos,
                        TimeUnit.MILLISECONDS.toNanos(answer.validForMillis()))
                : null;
    }

    /**
     * The order of a write with {@code commandId} and {@code lastReplica} (null: none), as the router
     * would answer it, or null when no table is fresh at {@code nowNanos}: then ask the router.
     */
    List<String> order(String commandId, String lastReplica, long nowNanos) {
        Learnt table = learnt;
        // a difference of nanoTimes, never a sum: no overflow, whatever the validity
        if (table == null || nowNanos - table.learntAtNanos() >= table.validNanos()) {
            return null;
        }
        return table.routing().order(commandId, lastReplica);
    }

    /** Forgets the table: the next write asks the router. */
    void forget() {
        learnt = null;
    }
}
