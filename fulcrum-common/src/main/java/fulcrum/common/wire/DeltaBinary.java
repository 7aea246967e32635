package fulcrum.common.wire;

import fulcrum.common.binary.BinaryReader;
import fulcrum.common.binary.BinaryWriter;
import fulcrum.common.binary.OperationBinary;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.Operation;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code MergeDelta} body in binary: the tag {@link #TAG}, the origin, the number of entries, then
 * each entry's fields as the store's op-log value holds them ({@link OperationBinary}). Deltas are
 * most of the traffic between replicas, and each entry is decoded by two peers and encoded once;
 * as JSON an entry was about twice the bytes and its field names were parsed at every peer.
 */
final class DeltaBinary {
    /** The first byte of a binary delta; never a store value's tag (1–6) nor the start of JSON. */
    static final byte TAG = 7;

    private DeltaBinary() {
    }

    static boolean isBinary(byte[] body) {
        return body.length > 0 && body[0] == TAG;
    }

    static byte[] encode(Delta delta) {
        List<Operation> ops = delta.operations();
        BinaryWriter out = new BinaryWriter(TAG, 32 + 160 * ops.size()).text(delta.origin()).number(ops.size());
        for (Operation op : ops) {
            OperationBinary.write(out, op);
        }
        return out.toBytes();
    }

    /**
     * @throws BinaryReader.Malformed    bytes that are not a binary delta
     * @throws IllegalArgumentException an entry that breaks {@link Operation}'s invariants
     */
    static Delta decode(byte[] body) {
        BinaryReader in = new BinaryReader(body, TAG, "binary MergeDelta");
        String origin = in.text();
        int n = in.count(); // each entry takes many bytes: the body's size bounds the loop
        List<Operation> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ops.add(OperationBinary.read(in));
        }
        in.end();
        return new Delta(origin, ops);
    }
}
