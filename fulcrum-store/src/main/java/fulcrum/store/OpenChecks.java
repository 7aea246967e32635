package fulcrum.store;

import fulcrum.core.store.StoreMeta;
import java.util.Arrays;
import java.util.List;

/**
 * What every open checks, in O(number of origins + number of key families) reads, never a scan of
 * the data (restart-to-serving must not grow with the number of cities): the format, the owner,
 * the meta values, that no key lies outside the known families, and that no origin's op log holds
 * (The op log may hold entries beyond the applied marks: entries taken from the merge queue and
 * waiting for a predecessor.)
 */
final class OpenChecks {
    /** What {@code meta/format} says. */
    enum Format { EMPTY, ONE, TWO, THREE }

    static final String FORMAT_1 = "1";
    static final String FORMAT_2 = "2";
    static final String FORMAT_3 = "3";

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
            case FORMAT_3 -> Format.THREE;
            default -> throw new StoreCorruptedException("store " + reads.dir() + " has format '" + Values.text(format)
                    + "'; this version reads format 3, and formats 1 and 2 (migrated at open)");
        };
    }

    /** The checks of a format-3 store; {@code replicaId} null accepts any owner (tools). */
    static StoreMeta current(Reads reads, String replicaId) {
        ownerAndKeys(reads, replicaId);
        return MetaReader.read(reads);
    }

    /** The owner ({@code replicaId} null accepts any) and that no key lies outside the known families. */
    static void ownerAndKeys(Reads reads, String replicaId) {
        byte[] owner = reads.get(Keys.REPLICA);
        if (replicaId != null && (owner == null || !replicaId.equals(Values.text(owner)))) {
            throw new StoreCorruptedException("store " + reads.dir() + " belongs to replica '"
                    + (owner == null ? "(none)" : Values.text(owner)) + "', not to " + replicaId);
        }
        onlyKnownKeys(reads, Keys.FAMILIES);
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

}
