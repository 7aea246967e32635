package fulcrum.router;

import fulcrum.core.router.RouterCounters;

/**
 * What the router shell reports to its metrics: the core's counters and its in-flight count after
 * every round (the core is the loop thread's alone, so the scrape reads this copy). {@link #NONE}
 * records nothing.
 */
public interface RouterMetrics {
    RouterMetrics NONE = (counters, inFlight) -> { };

    void observe(RouterCounters.Snapshot counters, int inFlight);
}
