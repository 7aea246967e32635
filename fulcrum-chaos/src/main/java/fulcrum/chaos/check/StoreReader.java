package fulcrum.chaos.check;

import fulcrum.chaos.check.FinalReplica.CommandRecord;
import fulcrum.chaos.check.FinalReplica.RecordKind;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Planet;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a stopped replica's store ({@link RocksStore#openReadOnly}, the same checks as the worker's
 * open and on every value read) into a {@link FinalReplica}. The only place that knows the store's
 * classes: the checker takes plain data.
 *
 * <p>The records are the store's command records ({@code allCommandRecords()}): one for every
 * application of every command, at its origin, held by every replica that applied the entry (its
 * own and its peers'), never compacted, and copied in the snapshot a replica that lost its disk
 * joins from. They are keyed by command id, origin and sequence number, so a command applied twice,
 * even at one origin, leaves two records.
 */
public final class StoreReader {
    private StoreReader() {
    }

    public static FinalReplica read(Path dataDir, List<String> replicaIds) {
        try (ReadOnlyRocksStore store = RocksStore.openReadOnly(dataDir)) {
            String dump = CanonicalDump.of(replicaIds, store.planets(), store.meta().appliedSeq());
            Map<String, FinalReplica.PlanetView> planets = new TreeMap<>();
            for (Planet p : store.planets()) {
                Map<String, Long> cities = new TreeMap<>();
                for (Map.Entry<String, City> c : p.visibleByName().entrySet()) {
                    cities.put(c.getKey(), c.getValue().rebels().value());
                }
                planets.put(p.name(), new FinalReplica.PlanetView(p.clock().asMap(), cities));
            }
            List<CommandRecord> records = new ArrayList<>();
            for (fulcrum.core.store.CommandRecord r : store.allCommandRecords()) {
                records.add(new CommandRecord(r.commandId(), r.origin(), r.originSeq(), r.planet(),
                        RecordKind.valueOf(r.kind().name()), r.clock().asMap()));
            }
            return new FinalReplica(store.replicaId(), dump, planets, records);
        }
    }
}
