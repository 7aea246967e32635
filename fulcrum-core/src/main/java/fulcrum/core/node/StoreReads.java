package fulcrum.core.node;

import fulcrum.core.replica.City;
import fulcrum.core.store.StateReader;
import fulcrum.core.store.StoreBatch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the store holds for the cities and name entries read or committed lately: a write reads
 * its city and name entry to decide, applying it reads them again, and the next write to the same
 * city reads them once more; each read of the store is a RocksDB point lookup (at 20,000 writes/s
 * the workers' lookups took a seventh of the machine's CPU, `perf`). The store changes only by the
 * batches the node's {@link StateView} hands out, so when one is committed its cities and name
 * entries are what the store now holds for those keys: they replace the answers kept for cities and
 * names that existed, and the answers "none" are dropped (a merge creates hundreds of thousands of
 * cities it will not read again: keeping them cost each worker a second of GC); a batch that clears
 * the data forgets all answers first. Nothing else writes the store while the node runs. At most
 * {@link #MAX_ANSWERS} answers are kept; past that all are forgotten.
 */
final class StoreReads {
    static final int MAX_ANSWERS = 100_000;

    private final StateReader store;
    private final Map<StoreBatch.CityKey, City> cities = new HashMap<>(); // null: the store has no such city
    private final Map<StoreBatch.NameKey, List<String>> names = new HashMap<>(); // empty: no live city filed there

    StoreReads(StateReader store) {
        this.store = store;
    }

    City city(StoreBatch.CityKey key) {
        City known = cities.get(key);
        if (known != null || cities.containsKey(key)) {
            return known;
        }
        City stored = store.city(key.planet(), key.cityId());
        bound();
        cities.put(key, stored);
        return stored;
    }

    List<String> cityIdsNamed(StoreBatch.NameKey key) {
        List<String> known = names.get(key);
        if (known != null) {
            return known;
        }
        List<String> stored = List.copyOf(store.cityIdsNamed(key.planet(), key.name()));
        bound();
        names.put(key, stored);
        return stored;
    }

    /** {@code batch} is now in the store. */
    void committed(StoreBatch batch) {
        if (batch.clearsData()) {
            forget();
        }
        refresh(cities, batch.cities(), city -> city != null);
        refresh(names, batch.names(), ids -> ids != null && !ids.isEmpty());
    }

    /** Each committed value replaces a kept answer that {@code existed}; any other kept answer of its key is dropped. */
    private static <K, V> void refresh(Map<K, V> kept, Map<K, V> committed, Predicate<V> existed) {
        for (Map.Entry<K, V> e : committed.entrySet()) {
            if (existed.test(kept.get(e.getKey()))) {
                kept.put(e.getKey(), e.getValue());
            } else {
                kept.remove(e.getKey()); // new here: kept once read again, so a merge's new cities are not kept
            }
        }
    }

    private void bound() {
        if (cities.size() + names.size() >= MAX_ANSWERS) {
            forget();
        }
    }

    private void forget() {
        cities.clear();
        names.clear();
    }
}
