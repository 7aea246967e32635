package fulcrum.store;

/**
 * The store holds something it cannot trust: a value that does not parse or does not match its
 * key, meta values that disagree, a store of another replica or of an unknown format. Never
 * served: the replica refuses to start, and the message says what to do.
 */
public final class StoreCorruptedException extends RuntimeException {
    public StoreCorruptedException(String message) {
        super(message);
    }

    public StoreCorruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
