package fulcrum.store;

import fulcrum.core.store.StoreMeta;
import java.util.Arrays;
import java.util.List;

/**
 * What every open checks, in O(number of origins + number of key families) reads, never a scan of
 * the data (restart-to-serving must not grow with the number of cities): the format, the owner,
 * the meta values, that no key lies outside the known families, and that no origin's op log holds
 * an entry its applied mark does not cover (which a torn or foreign write would leave).
 */
final class OpenChecks {
    /** What {@code meta/format} says. */
    enum Format { EMPTY, ONE, TWO }

    static final String FORMAT_1 = "1";
    static final String FORMAT_2 = "2";

    private OpenChecks() {
    }

    static Format format(Reads reads) {
        byte[] format = reads.get(Keys.FORMAT);
        if (format == null) {
            if (reads.anyKey()) {
                throw new StoreCorruptedException("store " + reads.dir() + " has data but no meta/format key: "
                        + "not a Fulcrum store, or a damaged one; move the directory away (the replica then "
                        + "rejoins from its peers)");
            }
            return Format.EMPTY;
        }
        return switch (Values.text(format)) {
            case FORMAT_1 -> Format.ONE;
            case FORMAT_2 -> Format.TWO;
            default -> throw new StoreCorruptedException("store " + reads.dir() + " has format '" + Values.text(format)
                    + "'; this version reads formats 1 (migrated at open) and 2");
        };
    }

    /** The checks of a format-2 store; {@code replicaId} null accepts any owner (tools). */
    static StoreMeta formatTwo(Reads reads, String replicaId) {
        byte[] owner = reads.get(Keys.REPLICA);
        if (replicaId != null && (owner == null || !replicaId.equals(Values.text(owner)))) {
            throw new StoreCorruptedException("store " + reads.dir() + " belongs to replica '"
                    + (owner == null ? "(none)" : Values.text(owner)) + "', not to " + replicaId);
        }
        onlyKnownKeys(reads, Keys.FAMILIES);
        StoreMeta meta = MetaReader.read(reads);
        opLogsCovered(reads, meta);
        return meta;
    }

    /**
     * Refuses a key outside {@code families} and {@code meta/format}: one seek per family present,
     * jumping from each family to the end of its range.
     */
    static void onlyKnownKeys(Reads reads, List<byte[]> families) {
        byte[] from = new byte[0];
        byte[] found;
        while ((found = reads.firstKey(new byte[0], from)) != null) {
            byte[] key = found;
            if (Arrays.equals(key, Keys.FORMAT)) {
                from = Keys.successor(key);
                continue;
            }
            byte[] family = families.stream().filter(f -> Keys.startsWith(key, f)).findFirst().orElse(null);
            if (family == null) {
                throw new StoreCorruptedException("store " + reads.dir() + " holds an unknown key '"
                        + Keys.describe(key) + "'");
            }
            from = Keys.prefixEnd(family);
        }
    }

    /** For each origin in the op log: its last entry is within its applied mark (two seeks). */
    private static void opLogsCovered(Reads reads, StoreMeta meta) {
        byte[] key = reads.firstKey(Keys.OP, Keys.OP);
        while (key != null) {
            String origin = Keys.opOrigin(key);
            if (origin == null) {
                throw reads.values().corrupted(key, "is filed under a key that is not origin, sequence number", null);
            }
            long applied = meta.applied(origin);
            byte[] beyond = applied == Long.MAX_VALUE ? null
                    : reads.firstKey(Keys.opPrefix(origin), Keys.op(origin, applied + 1));
            if (beyond != null) {
                throw new StoreCorruptedException("store " + reads.dir() + " is inconsistent: the op log of " + origin
                        + " holds #" + Keys.opSeq(beyond) + " beyond its applied sequence " + applied);
            }
            key = reads.firstKey(Keys.OP, Keys.prefixEnd(Keys.opPrefix(origin)));
        }
    }
}
