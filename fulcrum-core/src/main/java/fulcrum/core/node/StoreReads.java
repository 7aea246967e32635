package fulcrum.core.node;

import fulcrum.core.replica.City;
import fulcrum.core.store.StateReader;
import fulcrum.core.store.StoreBatch;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the store holds for the cities and name entries read or committed lately: a write reads
 * its city and name entry to decide, applying it reads them again, and the next write to the same
 * city reads them once more; each read of the store is a RocksDB point lookup (at 20,000 writes/s
 * the workers' lookups took a seventh of the machine's CPU, `perf`). The store changes only by the
 * batches the node's {@link StateView} hands out, so when one is committed its cities and name
 * entries are what the store now holds for those keys: a kept city that existed is overwritten in
 * place ({@link KeptCity}: a commit allocates nothing and stores no new object into the old
 * generation), a kept name entry is replaced, and the answers "none" are dropped (a merge creates
 * hundreds of thousands of cities it will not read again: keeping them cost each worker a second of
 * GC); a batch that clears the data forgets all answers first. Nothing else writes the store while
 * the node runs.
 *
 * <p>At most {@code maxAnswers} answers are kept ({@link NodeConfig#keptAnswersForHeap}: 250,000,
 * 61 MiB, from a heap of 256 MiB on, so that a planet of 100,000 cities, read at random, fits with
 * its 200,000); past that, the oldest read of the kind being read goes for each new one. Forgetting
 * all at once instead made a planet of 100,000 cities refill the maps from empty again and again.
 * With 100,000 answers and the cities replaced by new objects at each commit, that planet cost the
 * workers' G1 0.17–0.23 cores (against 0.01 on a planet of 100) and ran at 0.68–0.76 of the small
 * planet's rate; kept in place and all of them, 0.02–0.03 cores and 0.86–0.94.
 */
final class StoreReads {
    private final StateReader store;
    private final int maxAnswers;
    // in the order first read (a refresh keeps the place): the eldest goes first
    private final Map<StoreBatch.CityKey, KeptCity> cities = new LinkedHashMap<>(); // null: the store has no such city
    private final KeptCity.Origins origins = new KeptCity.Origins();
    private final Map<StoreBatch.NameKey, List<String>> names = new LinkedHashMap<>(); // empty: no live city filed there

    StoreReads(StateReader store, int maxAnswers) {
        if (maxAnswers < 1) {
            throw new IllegalArgumentException("at least one answer is kept, got " + maxAnswers);
        }
        this.store = store;
        this.maxAnswers = maxAnswers;
    }

    City city(StoreBatch.CityKey key) {
        KeptCity known = cities.get(key);
        if (known != null) {
            return known.toCity(origins);
        }
        if (cities.containsKey(key)) {
            return null;
        }
        City stored = store.city(key.planet(), key.cityId());
        KeptCity kept = stored == null ? null : KeptCity.of(stored, origins);
        if (stored == null || kept != null) {
            makeRoom(cities, names);
            cities.put(key, kept);
        }
        return stored;
    }

    List<String> cityIdsNamed(StoreBatch.NameKey key) {
        List<String> known = names.get(key);
        if (known != null) {
            return known;
        }
        List<String> stored = List.copyOf(store.cityIdsNamed(key.planet(), key.name()));
        makeRoom(names, cities);
        names.put(key, stored);
        return stored;
    }

    /** {@code batch} is now in the store. */
    void committed(StoreBatch batch) {
        if (batch.clearsData()) {
            forget();
        }
        batch.cities().forEach(this::refreshCity);
        refresh(names, batch.names(), ids -> ids != null && !ids.isEmpty());
    }

    /** A city that existed is overwritten in place; any other kept answer of its key is dropped. */
    private void refreshCity(StoreBatch.CityKey key, City committed) {
        KeptCity kept = cities.get(key);
        if (kept == null || !kept.overwrite(committed, origins)) {
            cities.remove(key); // new here: kept once read again, so a merge's new cities are not kept
        }
    }

    /** Each committed value replaces a kept answer that {@code existed}; any other kept answer of its key is dropped. */
    private static <K, V> void refresh(Map<K, V> kept, Map<K, V> committed, Predicate<V> existed) {
        // forEach, not an entry set: the batch hands out unmodifiable views, whose entries are wrapped one by one
        committed.forEach((key, value) -> {
            // one lookup in the common case, a kept answer replaced (get, then put, took two per committed city)
            if (!existed.test(kept.replace(key, value))) {
                kept.remove(key); // new here: kept once read again, so a merge's new cities are not kept
            }
        });
    }

    /** Before an answer goes into {@code into}: the eldest of {@code into} (or, when it is empty, of {@code other}) goes if the bound is reached. */
    private void makeRoom(Map<?, ?> into, Map<?, ?> other) {
        if (cities.size() + names.size() < maxAnswers) {
            return;
        }
        Iterator<?> eldest = (into.isEmpty() ? other : into).keySet().iterator();
        eldest.next();
        eldest.remove();
    }

    private void forget() {
        cities.clear();
        names.clear();
    }
}
