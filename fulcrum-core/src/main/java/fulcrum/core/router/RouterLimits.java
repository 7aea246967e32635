package fulcrum.core.router;

/**
 * The bounds of a {@link RouterCore}.
 *
 * @param maxInFlight              forwards remembered for their reply; at the bound the oldest is answered
 *                                 {@code UNAVAILABLE} and forgotten
 * @param maxBatch                 deliveries the shell feeds between two {@link RouterCore#ready()} calls, and
 *                                 timed-out queries handled per {@link RouterCore#tick(long)}
 * @param queryTimeoutMillis       how long a query waits for a replica before it is also offered to the next one
 * @param routeTableValidityMillis how long a client may draw its writes' orders from the route table a route
 *                                 answer hands out, instead of asking (see {@link RouteAnswer}); 0: hand out none
 */
public record RouterLimits(int maxInFlight, int maxBatch, long queryTimeoutMillis, long routeTableValidityMillis) {
    public static final int DEFAULT_MAX_IN_FLIGHT = 50_000;
    public static final long DEFAULT_QUERY_TIMEOUT_MILLIS = 3_000;
    public static final long DEFAULT_ROUTE_TABLE_VALIDITY_MILLIS = 5_000;

    public RouterLimits {
        if (maxInFlight < 1 || maxBatch < 1 || queryTimeoutMillis < 1) {
            throw new IllegalArgumentException("router limits must be positive: " + maxInFlight + ", " + maxBatch
                    + ", " + queryTimeoutMillis);
        }
        if (routeTableValidityMillis < 0) {
            throw new IllegalArgumentException("a route table's validity must not be negative: " + routeTableValidityMillis);
        }
    }

    /** With the default route table validity. */
    public RouterLimits(int maxInFlight, int maxBatch, long queryTimeoutMillis) {
        this(maxInFlight, maxBatch, queryTimeoutMillis, DEFAULT_ROUTE_TABLE_VALIDITY_MILLIS);
    }
}
