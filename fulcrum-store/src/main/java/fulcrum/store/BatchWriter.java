package fulcrum.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.StoreBatch;
import fulcrum.core.store.StoreMeta;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Turns a {@link StoreBatch} into RocksDB writes, in the batch's order: {@code clearData} first
 * (a range delete per family, constant cost whatever the store's size; the op log is kept), then every
 * put and delete, op-log drops after op-log puts; compaction is a range delete of the origin's op
 * entries up to the floor, a raised floor ({@code raiseFloor}) deletes nothing. Meta values are written
 * from the meta the batch leaves ({@code next}), which the caller has already checked. Nothing is read:
 * name-index entries and command records come whole in the batch.
 */
final class BatchWriter {
    private BatchWriter() {
    }

    static void write(WriteBatch out, StoreBatch batch, StoreMeta next) throws RocksDBException {
        if (batch.clearsData()) {
            for (byte[] family : Keys.CLEARED) {
                out.deleteRange(family, Keys.prefixEnd(family));
            }
        }
        for (Map.Entry<String, VectorClock> e : batch.clocks().entrySet()) {
            out.put(Keys.clock(e.getKey()), Values.clock(e.getKey(), e.getValue()));
        }
        for (Map.Entry<StoreBatch.CityKey, City> e : batch.cities().entrySet()) {
            out.put(Keys.city(e.getKey().planet(), e.getKey().cityId()), Values.city(e.getKey().planet(), e.getValue()));
        }
        writeNames(out, batch);
        for (Operation op : batch.operations()) {
            out.put(Keys.op(op.origin(), op.originSeq()), Values.operation(op));
        }
        for (Map.Entry<String, Reply> e : batch.replies().entrySet()) {
            byte[] encoded = batch.encodedReply(e.getValue()); // the bytes sent to the client, when the shell has them
            out.put(Keys.reply(e.getKey()), encoded != null ? encoded : Values.reply(e.getValue()));
        }
        for (Map.Entry<String, List<CommandRecord>> e : batch.commandRecords().entrySet()) {
            out.put(Keys.command(e.getKey()), Values.records(e.getValue())); // whole: nothing is read here
        }
        for (Map.Entry<String, Long> e : batch.appliedSeq().entrySet()) {
            out.put(Keys.applied(e.getKey()), Values.number(e.getValue()));
        }
        if (batch.clearsData()) {
            for (Map.Entry<String, Long> e : next.compactedUpTo().entrySet()) {
                out.put(Keys.compacted(e.getKey()), Values.number(e.getValue())); // back to what compaction deleted
            }
        }
        for (Map.Entry<String, Long> e : batch.compactUpTo().entrySet()) {
            String origin = e.getKey();
            long upTo = e.getValue();
            byte[] end = upTo == Long.MAX_VALUE ? Keys.prefixEnd(Keys.opPrefix(origin)) : Keys.op(origin, upTo + 1);
            out.deleteRange(Keys.op(origin, 0), end);
            out.put(Keys.compacted(origin), Values.number(next.compacted(origin)));
            out.put(Keys.deleted(origin), Values.number(next.deletedUpTo().get(origin)));
        }
        for (String origin : batch.floors().keySet()) {
            out.put(Keys.compacted(origin), Values.number(next.compacted(origin)));
        }
        for (StoreBatch.EntryKey k : batch.droppedOperations()) {
            out.delete(Keys.op(k.origin(), k.seq()));
        }
        for (String origin : batch.incarnationStarts().keySet()) {
            out.put(Keys.incarnations(origin), Values.starts(next.incarnations().get(origin)));
        }
        if (batch.publishedUpTo() != null) {
            out.put(Keys.PUBLISHED, Values.number(batch.publishedUpTo()));
        }
        if (batch.phase() != null || batch.incarnation() != null) {
            writeIdentity(out, next);
        }
    }

    /**
     * The name index: one key per (planet, name) holding the sorted ids of the live cities filed
     * there, so that the write path finds a city by a point lookup (bloom filters), never by an
     * iterator. The batch carries each touched entry whole, so nothing is read here.
     */
    private static void writeNames(WriteBatch out, StoreBatch batch) throws RocksDBException {
        for (Map.Entry<StoreBatch.NameKey, List<String>> e : batch.names().entrySet()) {
            byte[] key = Keys.name(e.getKey().planet(), e.getKey().name());
            if (e.getValue().isEmpty()) {
                out.delete(key);
            } else {
                out.put(key, Values.ids(e.getValue()));
            }
        }
    }

    /** The keys {@code clearData} keeps: which replica, which phase, which incarnation. */
    static void writeIdentity(WriteBatch out, StoreMeta meta) throws RocksDBException {
        out.put(Keys.REPLICA, Values.text(meta.replicaId()));
        out.put(Keys.PHASE, Values.text(meta.phase().name()));
        out.put(Keys.INCARNATION, Values.number(meta.incarnation()));
    }
}
