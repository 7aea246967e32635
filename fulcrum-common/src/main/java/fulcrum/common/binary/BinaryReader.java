package fulcrum.common.binary;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.Stamp;
import java.nio.charset.StandardCharsets;

/**
 * Reads one value written by {@link BinaryWriter}, refusing anything that is not exactly
 * such a value: another tag, a number past 63 bits or with a redundant trailing byte, a text or a
 * count longer than what is left, bytes left over. Each refusal is a {@link Malformed} naming what
 * was wrong and where; the caller names what it was reading (a store's key, a peer's message).
 */
public final class BinaryReader {
    /** Bytes of a varint that holds any non-negative long. */
    private static final int MAX_NUMBER_BYTES = 9;

    /** A value that is not what its tag says. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String message) {
            super(message);
        }
    }

    private final byte[] bytes;
    private int at;

    /** Starts reading {@code bytes}, which must begin with {@code tag}, a {@code type}'s. */
    public BinaryReader(byte[] bytes, byte tag, String type) {
        this.bytes = bytes;
        if (bytes.length == 0 || bytes[0] != tag) {
            throw new Malformed(bytes.length == 0 ? "it is empty" : "its type tag is " + (bytes[0] & 0xFF)
                    + (bytes[0] == '{' || bytes[0] == '[' ? " ('" + (char) bytes[0] + "', as JSON begins)" : "")
                    + " where a " + type + " has " + tag);
        }
        at = 1;
    }

    public long number() {
        long value = 0;
        for (int i = 0; i < MAX_NUMBER_BYTES; i++) {
            int b = octet();
            if (i > 0 && b == 0) {
                throw new Malformed("it has a number with a redundant byte at offset " + (at - 1));
            }
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new Malformed("it has a number longer than 63 bits at offset " + at);
    }

    /** A count of items that each take at least one byte: never more than the bytes left. */
    public int count() {
        long n = number();
        if (n > bytes.length - at) {
            throw new Malformed("it counts " + n + " items with " + (bytes.length - at) + " byte(s) left");
        }
        return (int) n;
    }

    public String text() {
        int length = count();
        String text = new String(bytes, at, length, StandardCharsets.UTF_8);
        at += length;
        return text;
    }

    public int octet() {
        if (at >= bytes.length) {
            throw new Malformed("it ends early (" + bytes.length + " bytes)");
        }
        return bytes[at++] & 0xFF;
    }

    public VectorClock clock() {
        int n = count();
        String[] ids = new String[n];
        long[] counts = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = text();
            counts[i] = number();
        }
        return VectorClock.ofSorted(ids, counts); // refuses ids out of order or twice: one encoding per clock
    }

    public Stamp stamp() {
        return new Stamp(number(), text());
    }

    /** Every byte was read: nothing follows the value. */
    public void end() {
        if (at != bytes.length) {
            throw new Malformed("it has " + (bytes.length - at) + " byte(s) after its end");
        }
    }
}
