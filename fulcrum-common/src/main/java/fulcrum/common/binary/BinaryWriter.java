package fulcrum.common.binary;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.Stamp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one binary value: a type tag, then fields in a fixed order, each number an unsigned
 * LEB128 varint (never negative here), each text its UTF-8 length as a varint and its bytes.
 * No field names and no escaping: a value is written in one pass into one array. The store's
 * values (format 3) and the replicas' deltas share it, so an op-log entry has one binary form.
 */
public final class BinaryWriter {
    private byte[] bytes;
    private int size;

    public BinaryWriter(byte tag, int expectedBytes) {
        bytes = new byte[Math.max(16, expectedBytes)];
        bytes[0] = tag;
        size = 1;
    }

    public BinaryWriter number(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a binary number is never negative, got " + value);
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

    public BinaryWriter text(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        number(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, size, utf8.length);
        size += utf8.length;
        return this;
    }

    public BinaryWriter octet(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
        return this;
    }

    public BinaryWriter clock(VectorClock clock) {
        number(clock.size());
        for (int i = 0; i < clock.size(); i++) {
            text(clock.idAt(i)).number(clock.countAt(i));
        }
        return this;
    }

    public BinaryWriter stamp(Stamp stamp) {
        return number(stamp.clockSum()).text(stamp.origin());
    }

    public byte[] toBytes() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
