package fulcrum.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.Stamp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one format-3 value: a type tag, then fields in a fixed order, each number an unsigned
 * LEB128 varint (never negative here), each text its UTF-8 length as a varint and its bytes.
 * No field names and no escaping: a value is written in one pass into one array.
 */
final class ValueWriter {
    private byte[] bytes;
    private int size;

    ValueWriter(byte tag, int expectedBytes) {
        bytes = new byte[Math.max(16, expectedBytes)];
        bytes[0] = tag;
        size = 1;
    }

    ValueWriter number(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a stored number is never negative, got " + value);
        }
        ensure(10);
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        bytes[size++] = (byte) rest;
        return this;
    }

    ValueWriter text(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        number(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, size, utf8.length);
        size += utf8.length;
        return this;
    }

    ValueWriter octet(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
        return this;
    }

    ValueWriter clock(VectorClock clock) {
        number(clock.size());
        for (int i = 0; i < clock.size(); i++) {
            text(clock.idAt(i)).number(clock.countAt(i));
        }
        return this;
    }

    ValueWriter stamp(Stamp stamp) {
        return number(stamp.clockSum()).text(stamp.origin());
    }

    byte[] toBytes() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
