package fulcrum.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The key layout of formats 2 and 3 (format 3 changed the values only; see the README's table). Every key but {@code meta/format} is a family
 * word and its variable-length parts, each part followed by a 0x00 byte (the last one too, where a
 * part ends the key, except an op key's fixed 8-byte sequence number). Why 0x00:
 * <ul>
 *   <li>names never contain it, so a key splits back into its parts without escaping;</li>
 *   <li>it sorts before every other byte, so the keys of planet {@code A} all come before those of
 *       {@code A/b}, and key order is the order of the parts, part by part;</li>
 *   <li>no format-1 key holds it, so no format-2 key or prefix range can meet a format-1 key, and a
 *       migration can write format 2 next to format 1 and delete format 1 by range.</li>
 * </ul>
 * Sequence numbers are 8 bytes big-endian (never negative), so key order is numeric order.
 */
final class Keys {
    /** The one key both formats share, so that either can tell which format a store is in. */
    static final byte[] FORMAT = utf8("meta/format");

    /** Identity of the store, kept by {@code clearData}: replica id, phase, incarnation. */
    static final byte[] STORE = family("store");
    static final byte[] REPLICA = join(STORE, "replica");
    static final byte[] PHASE = join(STORE, "phase");
    static final byte[] INCARNATION = join(STORE, "incarnation");

    /** Replicated meta, cleared with the data. */
    static final byte[] META = family("meta");
    static final byte[] APPLIED = join(META, "applied");
    static final byte[] COMPACTED = join(META, "compacted");
    static final byte[] INCARNATIONS = join(META, "incarnations");
    static final byte[] PUBLISHED = join(META, "published");
    static final byte[] DELETED = join(META, "deleted");

    static final byte[] CLOCK = family("clock");
    static final byte[] CITY = family("city");
    static final byte[] NAME = family("name");
    static final byte[] OP = family("op");
    static final byte[] REPLY = family("reply");
    static final byte[] COMMAND = family("cmd");

    /**
     * What {@code clearData} deletes: every family but the store's identity, the op log (entries
     * taken from the merge queue stay held whatever becomes of the state) and the incarnation starts
     * (facts about the streams) and how far compaction deleted entries (the op log's own history);
     * the compaction floors are written again from what compaction deleted.
     */
    static final List<byte[]> CLEARED = List.of(APPLIED, COMPACTED, PUBLISHED, CLOCK, CITY, NAME, REPLY, COMMAND);
    /** Every family; with {@link #FORMAT}, all a format-2 or format-3 store may hold. */
    static final List<byte[]> FAMILIES = List.of(STORE, META, CLOCK, CITY, NAME, OP, REPLY, COMMAND);

    private static final int SEQ_BYTES = Long.BYTES;

    private Keys() {
    }

    static byte[] clock(String planet) {
        return join(CLOCK, planet);
    }

    static byte[] cityPrefix(String planet) {
        return join(CITY, planet);
    }

    static byte[] city(String planet, String cityId) {
        return join(CITY, planet, cityId);
    }

    /** The live cities filed under a name: one key, a list of ids (a point lookup on the write path). */
    static byte[] name(String planet, String name) {
        return join(NAME, planet, name);
    }

    static byte[] opPrefix(String origin) {
        return join(OP, origin);
    }

    static byte[] op(String origin, long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("sequence number must not be negative, got " + seq);
        }
        byte[] prefix = opPrefix(origin);
        return ByteBuffer.allocate(prefix.length + SEQ_BYTES).put(prefix).putLong(seq).array();
    }

    static byte[] reply(String commandId) {
        return join(REPLY, commandId);
    }

    /** Every record of a command id: one key, a list (a point lookup on the write path). */
    static byte[] command(String commandId) {
        return join(COMMAND, commandId);
    }

    static byte[] applied(String origin) {
        return join(APPLIED, origin);
    }

    static byte[] compacted(String origin) {
        return join(COMPACTED, origin);
    }

    static byte[] deleted(String origin) {
        return join(DELETED, origin);
    }

    static byte[] incarnations(String origin) {
        return join(INCARNATIONS, origin);
    }

    /**
     * The parts of {@code key} after {@code prefix}, or null when the key is not exactly
     * {@code count} non-empty parts there (a key to refuse, not to guess at).
     */
    static List<String> parts(byte[] key, byte[] prefix, int count) {
        if (!startsWith(key, prefix)) {
            return null;
        }
        List<String> parts = new ArrayList<>(count);
        int start = prefix.length;
        for (int i = start; i < key.length; i++) {
            if (key[i] == 0) {
                if (i == start) {
                    return null;
                }
                parts.add(new String(key, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return start == key.length && parts.size() == count ? parts : null;
    }

    /** An op key's origin, or null when {@code key} is not an op key. */
    static String opOrigin(byte[] key) {
        if (!startsWith(key, OP) || key.length < OP.length + 2 + SEQ_BYTES) {
            return null;
        }
        int end = key.length - SEQ_BYTES - 1;
        if (key[end] != 0) {
            return null;
        }
        for (int i = OP.length; i < end; i++) {
            if (key[i] == 0) {
                return null;
            }
        }
        return new String(key, OP.length, end - OP.length, StandardCharsets.UTF_8);
    }

    /** An op key's sequence number (the key was checked by {@link #opOrigin}). */
    static long opSeq(byte[] key) {
        return ByteBuffer.wrap(key, key.length - SEQ_BYTES, SEQ_BYTES).getLong();
    }

    /** The first key after every key that starts with {@code prefix}: the end of its range. */
    static byte[] prefixEnd(byte[] prefix) {
        int last = prefix.length - 1;
        while (last >= 0 && prefix[last] == (byte) 0xFF) {
            last--;
        }
        if (last < 0) {
            throw new IllegalArgumentException("a prefix of 0xFF bytes has no end");
        }
        byte[] end = Arrays.copyOf(prefix, last + 1);
        end[last]++;
        return end;
    }

    /** The first key after {@code key} in byte order (what a cursor resumes from). */
    static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The key as text for messages: 0x00 shown as {@code \0}, an op key's sequence as a number. */
    static String describe(byte[] key) {
        String origin = opOrigin(key);
        if (origin != null) {
            return "op\\0" + origin + "\\0" + opSeq(key);
        }
        return new String(key, StandardCharsets.UTF_8).replace("\0", "\\0");
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] family(String word) {
        return join(new byte[0], word);
    }

    private static byte[] join(byte[] prefix, String... parts) {
        // on the write path for every key: sized once, no stream (a ByteArrayOutputStream's growth
        // showed in profiles of a merge)
        byte[][] encoded = new byte[parts.length][];
        int length = prefix.length;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part == null || part.isEmpty() || part.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a key part is non-empty and has no NUL character: '" + part + "'");
            }
            encoded[i] = utf8(part);
            length += encoded[i].length + 1;
        }
        byte[] key = Arrays.copyOf(prefix, length); // the rest starts zeroed: each part's 0x00 is already there
        int at = prefix.length;
        for (byte[] part : encoded) {
            System.arraycopy(part, 0, key, at, part.length);
            at += part.length + 1;
        }
        return key;
    }
}
