package fulcrum.common.wire;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.binary.BinaryReader;
import fulcrum.core.protocol.Compacted;
import fulcrum.core.protocol.Delta;
import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.PeerMessage;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ResendRequest;
import fulcrum.core.protocol.SnapshotChunk;
import fulcrum.core.protocol.SnapshotRequest;
import java.util.Map;

/**
 * The wire form of messages between replicas, told apart by the AMQP {@code type} property: a
 * {@code MergeDelta} in binary ({@link DeltaBinary}; a JSON delta, as replicas wrote them before, is
 * still read), every other message as JSON (the project's strict, canonical {@link FulcrumJson}). Decoding is the first line of
 * defence against forged or broken merge traffic: an unknown type, a body over the size bound, a
 * body that is not the type's JSON (unknown fields included) fails with a one-line reason; the
 * replica node then checks the meaning ({@code MessageRules}).
 */
public final class PeerCodec {
    /** Largest merge-queue body accepted: a snapshot page of a few thousand cities fits well within. */
    public static final int MAX_MERGE_BODY_BYTES = 8 * 1024 * 1024;
    /** Largest status body accepted. */
    public static final int MAX_STATUS_BODY_BYTES = 64 * 1024;

    private static final Map<String, Class<? extends PeerMessage>> TYPES = Map.of(
            Delta.TYPE, Delta.class,
            ResendRequest.TYPE, ResendRequest.class,
            Compacted.TYPE, Compacted.class,
            MergeNow.TYPE, MergeNow.class,
            JoinRequest.TYPE, JoinRequest.class,
            JoinOffer.TYPE, JoinOffer.class,
            SnapshotRequest.TYPE, SnapshotRequest.class,
            SnapshotChunk.TYPE, SnapshotChunk.class,
            ReplicaStatus.TYPE, ReplicaStatus.class);

    private PeerCodec() {
    }

    /** Why a body could not be decoded; the message is dead-lettered with this reason. */
    public static final class UndecodableException extends Exception {
        private final boolean unknownType;

        UndecodableException(String message, boolean unknownType) {
            super(message);
            this.unknownType = unknownType;
        }

        /** Whether the AMQP type names no message (then the error code is UNKNOWN_COMMAND). */
        public boolean unknownType() {
            return unknownType;
        }
    }

    /** The AMQP {@code content_type} of a binary delta. */
    public static final String DELTA_CONTENT_TYPE = "application/vnd.fulcrum.delta";

    public static byte[] encode(PeerMessage message) {
        return message instanceof Delta delta ? DeltaBinary.encode(delta) : FulcrumJson.write(message);
    }

    /** The AMQP {@code content_type} of {@link #encode}'s body. */
    public static String contentType(PeerMessage message) {
        return message instanceof Delta ? DELTA_CONTENT_TYPE : Amqp.CONTENT_TYPE;
    }

    /**
     * @param type     the AMQP {@code type} property
     * @param maxBytes {@link #MAX_MERGE_BODY_BYTES} or {@link #MAX_STATUS_BODY_BYTES}
     */
    public static PeerMessage decode(String type, byte[] body, int maxBytes) throws UndecodableException {
        if (type == null) {
            throw new UndecodableException("a merge message needs an AMQP type (MergeDelta, ResendRequest, …)", true);
        }
        Class<? extends PeerMessage> cls = TYPES.get(type);
        if (cls == null) {
            throw new UndecodableException("unknown merge message type '" + abbreviate(type) + "'", true);
        }
        if (body == null || body.length > maxBytes) {
            throw new UndecodableException(type + " body of " + (body == null ? 0 : body.length) + " bytes exceeds "
                    + maxBytes, false);
        }
        try {
            if (cls == Delta.class && DeltaBinary.isBinary(body)) {
                return DeltaBinary.decode(body);
            }
            PeerMessage m = FulcrumJson.MAPPER.readValue(body, cls);
            if (m == null) {
                throw new UndecodableException(type + " body is null", false);
            }
            return m;
        } catch (BinaryReader.Malformed e) {
            throw new UndecodableException("invalid " + type + ": its binary body " + abbreviate(e.getMessage()), false);
        } catch (java.io.IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new UndecodableException("invalid " + type + ": " + abbreviate(why), false);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 197) + "...";
    }
}
