package fulcrum.chaos.check;

import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.worker.store.RocksReplicaStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads a stopped replica's RocksDB store (read-only) into a {@link FinalReplica}. */
public final class StoreReader {
    private StoreReader() {
    }

    public static FinalReplica read(Path dataDir, List<String> replicaIds) {
        RocksReplicaStore.Snapshot snapshot = RocksReplicaStore.readSnapshot(dataDir);
        String dump = CanonicalDump.of(replicaIds, snapshot.state().planets(), snapshot.state().appliedSeq());
        Map<String, FinalReplica.PlanetView> planets = new TreeMap<>();
        for (Planet p : snapshot.state().planets().values()) {
            Map<String, Long> cities = new TreeMap<>();
            for (Map.Entry<String, City> c : p.visibleByName().entrySet()) {
                cities.put(c.getKey(), c.getValue().rebels().value());
            }
            planets.put(p.name(), new FinalReplica.PlanetView(p.clock().asMap(), cities));
        }
        List<FinalReplica.LoggedOp> ops = new ArrayList<>();
        for (Operation op : snapshot.operations()) {
            ops.add(new FinalReplica.LoggedOp(op.origin(), op.originSeq(), op.commandId()));
        }
        return new FinalReplica(snapshot.replicaId(), dump, planets, ops);
    }
}
