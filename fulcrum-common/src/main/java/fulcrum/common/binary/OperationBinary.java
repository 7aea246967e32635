package fulcrum.common.binary;

import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;

/**
 * The binary fields of an op-log entry, in one order for the store's op-log value and for a
 * replica's delta: origin, incarnation, sequence number, planet, kind code, a byte of flags for the
 * optional fields, then city id, name and count where present, the clock and the command id.
 */
public final class OperationBinary {
    private static final int PRESENT_CITY = 1;
    private static final int PRESENT_NAME = 2;
    private static final int PRESENT_REBELS = 4;

    private OperationBinary() {
    }

    public static BinaryWriter write(BinaryWriter out, Operation op) {
        int present = (op.cityId() != null ? PRESENT_CITY : 0) | (op.name() != null ? PRESENT_NAME : 0)
                | (op.rebels() != null ? PRESENT_REBELS : 0);
        out.text(op.origin()).number(op.incarnation()).number(op.originSeq()).text(op.planet())
                .octet(kindCode(op.kind())).octet(present);
        if (op.cityId() != null) {
            out.text(op.cityId());
        }
        if (op.name() != null) {
            out.text(op.name());
        }
        if (op.rebels() != null) {
            out.number(op.rebels());
        }
        return out.clock(op.clock()).text(op.commandId());
    }

    /**
     * @throws BinaryReader.Malformed     bytes that are not such fields
     * @throws IllegalArgumentException  fields that break {@link Operation}'s invariants
     */
    public static Operation read(BinaryReader in) {
        String origin = in.text();
        long incarnation = in.number();
        long originSeq = in.number();
        String planet = in.text();
        OpKind kind = kindOf(in.octet());
        int present = in.octet();
        if ((present & ~(PRESENT_CITY | PRESENT_NAME | PRESENT_REBELS)) != 0) {
            throw new BinaryReader.Malformed("it has unknown fields (" + present + ")");
        }
        String cityId = (present & PRESENT_CITY) != 0 ? in.text() : null;
        String name = (present & PRESENT_NAME) != 0 ? in.text() : null;
        Long rebels = (present & PRESENT_REBELS) != 0 ? in.number() : null;
        return new Operation(origin, incarnation, originSeq, planet, kind, cityId, name, rebels, in.clock(), in.text());
    }

    /** The one-byte code of an op kind (stable: never an ordinal, which a reordering would change). */
    public static int kindCode(OpKind kind) {
        return switch (kind) {
            case AddCity -> 1;
            case UpdateName -> 2;
            case UpdateNumber -> 3;
            case DeleteCity -> 4;
            case Refusal -> 5;
        };
    }

    public static OpKind kindOf(int code) {
        return switch (code) {
            case 1 -> OpKind.AddCity;
            case 2 -> OpKind.UpdateName;
            case 3 -> OpKind.UpdateNumber;
            case 4 -> OpKind.DeleteCity;
            case 5 -> OpKind.Refusal;
            default -> throw new BinaryReader.Malformed("it has an unknown operation kind " + code);
        };
    }
}
