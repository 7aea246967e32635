package fulcrum.core.router;

import fulcrum.core.domain.ErrorCode;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Mos Eisley's answer to a route request: the replicas to offer a write to, in order, or why it
 * gives none. The client sends the write to the first, and to the next only after the one before
 * answered {@code STALE} (that refusal is recorded for good, which is what lets the walk go on
 * without applying the command twice).
 *
 * <p>An answer may also hand out a <em>route table</em>: the replica set the order was drawn from,
 * and how long the client may draw the orders of its next writes from it itself, with the same
 * {@code WriteRouting} the router uses, instead of asking. An answer without one (an older router,
 * a router told to hand none out) asks the client to ask again for every write.
 *
 * @param order          every replica exactly once, in the write's order; empty when refused
 * @param errorCode      why no order is given (null when one is)
 * @param errorMessage   what to tell the user (null when an order is given)
 * @param replicas       the route table: the router's replica set, in its configured order, of which
 *                       {@code order} is a permutation; empty when the answer hands out no table
 * @param validForMillis how long the client may use the table, from when it received the answer; 0
 *                       when there is no table
 */
public record RouteAnswer(List<String> order, ErrorCode errorCode, String errorMessage, List<String> replicas,
                          long validForMillis) {
    public RouteAnswer {
        order = List.copyOf(order);
        replicas = List.copyOf(replicas);
        if ((errorCode == null) == order.isEmpty()) {
            throw new IllegalArgumentException("a route answer carries either an order or an error");
        }
        if (errorCode != null) {
            Objects.requireNonNull(errorMessage, "errorMessage");
        }
        if (validForMillis < 0) {
            throw new IllegalArgumentException("a route table's validity is negative: " + validForMillis);
        }
        if (replicas.isEmpty() && validForMillis != 0) {
            throw new IllegalArgumentException("a route table's validity without its replicas");
        }
        if (!replicas.isEmpty()) {
            checkTable(order, replicas);
        }
    }

    private static void checkTable(List<String> order, List<String> replicas) {
        if (order.isEmpty()) {
            throw new IllegalArgumentException("a refused route hands out no route table");
        }
        if (replicas.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("a route table's replicas include a blank name: " + replicas);
        }
        if (new HashSet<>(replicas).size() != replicas.size()) {
            throw new IllegalArgumentException("a route table's replicas are not distinct: " + replicas);
        }
        if (order.size() != replicas.size() || !new HashSet<>(replicas).equals(new HashSet<>(order))) {
            throw new IllegalArgumentException("the route " + order + " is not an order of the route table's replicas "
                    + replicas);
        }
    }

    /** A route that hands out no table: the client asks again for its next write. */
    public static RouteAnswer route(List<String> order) {
        return new RouteAnswer(order, null, null, List.of(), 0);
    }

    /** A route with the table it was drawn from, which the client may use for {@code validForMillis}. */
    public static RouteAnswer route(List<String> order, List<String> replicas, long validForMillis) {
        return new RouteAnswer(order, null, null, replicas, validForMillis);
    }

    public static RouteAnswer refused(ErrorCode code, String message) {
        return new RouteAnswer(List.of(), code, message, List.of(), 0);
    }

    public boolean ok() {
        return errorCode == null;
    }

    /** Whether the answer hands out a route table the client may use (replicas, for a positive time). */
    public boolean hasTable() {
        return !replicas.isEmpty() && validForMillis > 0;
    }
}
