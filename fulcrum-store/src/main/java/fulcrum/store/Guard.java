package fulcrum.store;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Keeps native calls away from a closed RocksDB object: a call on a closed handle crashes the JVM
 * instead of throwing. Reads and commits share the lock (RocksDB lets them run concurrently);
 * closing takes it alone, so it waits for the calls in flight and every later call fails cleanly.
 */
final class Guard {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private final Guard parent;
    private boolean closed;

    Guard(String what) {
        this(what, null);
    }

    /** A guard that also holds {@code parent} (a snapshot's reads need the store open too). */
    Guard(String what, Guard parent) {
        this.what = what;
        this.parent = parent;
    }

    <T> T call(Supplier<T> body) {
        return parent == null ? callHere(body) : parent.call(() -> callHere(body));
    }

    private <T> T callHere(Supplier<T> body) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new StoreException(what + " is closed");
            }
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    /** Runs {@code body} unless closed; says whether it ran. */
    boolean runIfOpen(Runnable body) {
        lock.readLock().lock();
        try {
            if (closed) {
                return false;
            }
            body.run();
            return true;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs {@code release} once, after the calls in flight; later calls throw. */
    void close(Runnable release) {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                release.run();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
