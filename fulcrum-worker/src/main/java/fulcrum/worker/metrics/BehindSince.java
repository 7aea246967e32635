package fulcrum.worker.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * How long this replica has been behind each peer: since the first observation that found entries
 * of the peer's stream known and not applied, until one that finds none. The op log carries no
 * wall-clock time, so this is the age of the lag as the replica saw it, to the grain of its loop.
 */
public final class BehindSince {
    private final Map<String, Long> since = new HashMap<>();

    /** What the replica found at {@code nowNanos}: per peer, entries behind. */
    public synchronized void observe(Map<String, Long> behind, long nowNanos) {
        behind.forEach((peer, entries) -> {
            if (entries > 0) {
                since.putIfAbsent(peer, nowNanos);
            } else {
                since.remove(peer);
            }
        });
    }

    /** Seconds {@code peer} has been behind as of {@code nowNanos}; 0 when it is not. */
    public synchronized double seconds(String peer, long nowNanos) {
        Long start = since.get(peer);
        return start == null ? 0 : Math.max(0, nowNanos - start) / 1e9;
    }
}
