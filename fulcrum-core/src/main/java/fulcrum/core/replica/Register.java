package fulcrum.core.replica;

import java.util.Objects;

/** A last-writer-wins register: the value written with the greatest {@link Stamp}. */
public record Register<T>(T value, Stamp stamp) {
    public Register {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(stamp, "stamp");
    }

    /** The join of two registers; null stands for "never written". */
    public static <T> Register<T> join(Register<T> a, Register<T> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.stamp.compareTo(b.stamp) >= 0 ? a : b;
    }
}
