package fulcrum.chaos.check;

import fulcrum.chaos.check.FinalReplica.CommandRecord;
import fulcrum.chaos.check.FinalReplica.RecordKind;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.worker.store.RocksReplicaStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads a stopped replica's RocksDB store (read-only) into a {@link FinalReplica}. The only place
 * that knows the store's classes and layout: the checker takes plain data.
 *
 * <p>This store keeps no command records, so they are made, as well as it can be done, from what
 * it keeps for good: its dedup records ({@code dedup/<command id>}, the reply of every write it
 * executed, kept forever). An accepted write's reply names the planet, the command and the planet's
 * clock right after the write, so it is the record of that application at this replica (its
 * origin); a {@code STALE} reply is a recorded refusal. Peers' applications are left to the peers'
 * own dedup records, so each application is recorded once, in its origin's store. The store has no
 * incarnation (0), and the sequence number is taken from the op log while the operation is still
 * there (compaction deletes it once every replica applied it; then 0). A wiped store has lost its
 * dedup records, so its applications are then missing from the records.
 */
public final class StoreReader {
    private static final String DEDUP = "dedup/";

    static {
        RocksDB.loadLibrary();
    }

    private StoreReader() {
    }

    public static FinalReplica read(Path dataDir, List<String> replicaIds) {
        RocksReplicaStore.Snapshot snapshot = RocksReplicaStore.readSnapshot(dataDir);
        String self = snapshot.replicaId();
        String dump = CanonicalDump.of(replicaIds, snapshot.state().planets(), snapshot.state().appliedSeq());
        Map<String, FinalReplica.PlanetView> planets = new TreeMap<>();
        for (Planet p : snapshot.state().planets().values()) {
            Map<String, Long> cities = new TreeMap<>();
            for (Map.Entry<String, City> c : p.visibleByName().entrySet()) {
                cities.put(c.getKey(), c.getValue().rebels().value());
            }
            planets.put(p.name(), new FinalReplica.PlanetView(p.clock().asMap(), cities));
        }
        Map<String, Long> ownSeq = new HashMap<>();
        for (Operation op : snapshot.operations()) {
            if (op.origin().equals(self)) {
                ownSeq.put(op.commandId(), op.originSeq());
            }
        }
        List<CommandRecord> records = new ArrayList<>();
        readDedupReplies(dataDir, (commandId, reply) -> {
            CommandRecord r = toRecord(self, commandId, reply, ownSeq.getOrDefault(commandId, 0L));
            if (r != null) {
                records.add(r);
            }
        });
        return new FinalReplica(self, dump, planets, records);
    }

    private static CommandRecord toRecord(String self, String commandId, Reply reply, long seq) {
        if (reply.command() == null || !reply.command().isWrite() || reply.planet() == null) {
            return null;
        }
        Map<String, Long> clock = reply.clock() == null ? Map.of() : reply.clock().asMap();
        if (reply.ok()) {
            RecordKind kind = RecordKind.valueOf(reply.command().name());
            return new CommandRecord(commandId, self, 0, seq, reply.planet(), kind, clock);
        }
        if (reply.errorCode() == ErrorCode.STALE) {
            return new CommandRecord(commandId, self, 0, 0, reply.planet(), RecordKind.Refusal, clock);
        }
        return null; // a rejected write (CITY_NOT_FOUND, …): neither applied nor refused for staleness
    }

    private interface ReplyVisitor {
        void visit(String commandId, Reply reply);
    }

    private static void readDedupReplies(Path dataDir, ReplyVisitor visitor) {
        try (Options options = new Options().setCreateIfMissing(false);
             RocksDB db = RocksDB.openReadOnly(options, dataDir.toString());
             RocksIterator it = db.newIterator()) {
            for (it.seek(DEDUP.getBytes(StandardCharsets.UTF_8)); it.isValid(); it.next()) {
                String key = new String(it.key(), StandardCharsets.UTF_8);
                if (!key.startsWith(DEDUP)) {
                    break;
                }
                visitor.visit(key.substring(DEDUP.length()), ReplyCodec.decode(it.value()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the dedup records of " + dataDir + ": " + e.getMessage(), e);
        }
    }
}
