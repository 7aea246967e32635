package fulcrum.store;

import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreMeta;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads {@link StoreMeta} from the identity keys and the {@code meta\0} family: a handful of point
 * reads and one scan of O(number of origins) keys, which is all an open reads of the data.
 */
final class MetaReader {
    private MetaReader() {
    }

    static StoreMeta read(Reads reads) {
        Values values = reads.values();
        String replica = Values.text(required(reads, Keys.REPLICA));
        Phase phase = values.phase(Keys.PHASE, required(reads, Keys.PHASE));
        long incarnation = values.number(Keys.INCARNATION, required(reads, Keys.INCARNATION));
        TreeMap<String, Long> applied = new TreeMap<>();
        TreeMap<String, Long> compacted = new TreeMap<>();
        TreeMap<String, Long> deleted = new TreeMap<>();
        TreeMap<String, List<IncarnationStart>> starts = new TreeMap<>();
        long[] published = {0};
        reads.scan(Keys.META, Keys.META, (k, v) -> {
            List<String> origin;
            if ((origin = Keys.parts(k, Keys.APPLIED, 1)) != null) {
                applied.put(origin.get(0), values.number(k, v));
            } else if ((origin = Keys.parts(k, Keys.COMPACTED, 1)) != null) {
                compacted.put(origin.get(0), values.number(k, v));
            } else if ((origin = Keys.parts(k, Keys.DELETED, 1)) != null) {
                deleted.put(origin.get(0), values.number(k, v));
            } else if ((origin = Keys.parts(k, Keys.INCARNATIONS, 1)) != null) {
                starts.put(origin.get(0), values.starts(k, v));
            } else if (Arrays.equals(k, Keys.PUBLISHED)) {
                published[0] = values.number(k, v);
            } else {
                throw values.corrupted(k, "is under an unknown meta key", null);
            }
            return true;
        });
        try {
            return new StoreMeta(replica, phase, incarnation, applied, compacted, published[0], starts, deleted);
        } catch (IllegalArgumentException e) {
            throw new StoreCorruptedException("store " + reads.dir() + " has meta values that disagree: " + e.getMessage(), e);
        }
    }

    private static byte[] required(Reads reads, byte[] key) {
        byte[] value = reads.get(key);
        if (value == null) {
            throw new StoreCorruptedException("store " + reads.dir() + " has no " + Keys.describe(key) + " key");
        }
        return value;
    }
}
