package fulcrum.worker.store;

/** The store could not be opened, read or written (I/O, lock held by another process, ...). */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
