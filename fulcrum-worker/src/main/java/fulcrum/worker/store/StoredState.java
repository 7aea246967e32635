package fulcrum.worker.store;

import fulcrum.core.replica.Planet;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a store holds at open: every planet, the highest applied sequence number per origin, the
 * highest own sequence number published on {@code fulcrum.merge} (and confirmed), and per origin the
 * compaction floor (op-log entries up to it were deleted once every replica had applied them).
 */
public record StoredState(SortedMap<String, Planet> planets, SortedMap<String, Long> appliedSeq, long publishedUpTo,
                          SortedMap<String, Long> compactedUpTo) {
    public StoredState {
        planets = Collections.unmodifiableSortedMap(new TreeMap<>(planets));
        appliedSeq = Collections.unmodifiableSortedMap(new TreeMap<>(appliedSeq));
        compactedUpTo = Collections.unmodifiableSortedMap(new TreeMap<>(compactedUpTo));
    }

    public StoredState(SortedMap<String, Planet> planets, SortedMap<String, Long> appliedSeq) {
        this(planets, appliedSeq, 0, new TreeMap<>());
    }

    public long compactedUpTo(String origin) {
        return compactedUpTo.getOrDefault(origin, 0L);
    }

    static SortedMap<String, Long> copy(Map<String, Long> m) {
        return new TreeMap<>(m);
    }
}
