package fulcrum.worker.store;

import fulcrum.core.replica.Planet;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** What a store holds at open: every planet and the highest applied sequence number per origin. */
public record StoredState(SortedMap<String, Planet> planets, SortedMap<String, Long> appliedSeq) {
    public StoredState {
        planets = Collections.unmodifiableSortedMap(new TreeMap<>(planets));
        appliedSeq = Collections.unmodifiableSortedMap(new TreeMap<>(appliedSeq));
    }
}
