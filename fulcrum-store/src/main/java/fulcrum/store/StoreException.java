package fulcrum.store;

/**
 * The store could not be opened, read or written: I/O, a lock held by another process, a closed
 * store. After one on {@link RocksStore#commit} the caller stops: its memory is ahead of the disk.
 */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
