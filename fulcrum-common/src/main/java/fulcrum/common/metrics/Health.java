package fulcrum.common.metrics;

/** What a daemon's {@code /health} answers: up only while its consumers run. */
@FunctionalInterface
public interface Health {
    Status check();

    /** {@code detail} says why, in a few words, for the operator reading the answer. */
    record Status(boolean up, String detail) {
        public static Status up(String detail) {
            return new Status(true, detail);
        }

        public static Status down(String detail) {
            return new Status(false, detail);
        }
    }
}
