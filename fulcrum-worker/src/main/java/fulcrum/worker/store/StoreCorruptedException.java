package fulcrum.worker.store;

/** The store holds something it cannot trust: a value that does not parse, or parts that disagree. */
public final class StoreCorruptedException extends RuntimeException {
    public StoreCorruptedException(String message) {
        super(message);
    }

    public StoreCorruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
