package fulcrum.worker;

import fulcrum.core.store.ReplicaStore;
import fulcrum.core.store.StoreBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The worker's committer thread: writes the loop's batches to the store in the order they were
 * submitted, so that the loop executes the next batch while the previous one is synced. The
 * batches waiting when it takes one go to the store together ({@link ReplicaStore#commitAll}: one
 * sync for the group). A failed commit fails that group and every later one (the loop stops on the
 * first failure; nothing after it may be written over a store the node is ahead of).
 */
final class Committer implements AutoCloseable {
    /** One batch handed to the committer; the loop polls it (it is woken when it completes). */
    static final class Commit {
        final StoreBatch batch;
        private volatile boolean done;
        private volatile Throwable failure;
        private volatile long nanos;
        private volatile int groupSize;

        private Commit(StoreBatch batch) {
            this.batch = batch;
        }

        /** Whether the batch is durable, or its commit failed. */
        boolean done() {
            return done;
        }

        /** The failure that makes the batch's fate unknown, or null. */
        Throwable failure() {
            return failure;
        }

        /** How long the group's write took. */
        long nanos() {
            return nanos;
        }

        /** How many batches were written with this one (1 when alone). */
        int groupSize() {
            return groupSize;
        }
    }

    private final ReplicaStore store;
    private final Runnable onDone;
    private final LinkedBlockingQueue<Commit> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closing;
    private volatile Throwable failed;

    /**
     * @param onDone called from the committer thread after each group, committed or failed (to wake
     *               the loop)
     */
    Committer(ReplicaStore store, String name, Runnable onDone) {
        this.store = store;
        this.onDone = onDone;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues {@code batch} behind every batch submitted before it. */
    Commit submit(StoreBatch batch) {
        Commit c = new Commit(batch);
        queue.add(c);
        return c;
    }

    private void run() {
        List<Commit> group = new ArrayList<>();
        try {
            while (!closing || !queue.isEmpty()) {
                Commit first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.clear();
                group.add(first);
                queue.drainTo(group);
                commit(group);
                onDone.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void commit(List<Commit> group) {
        long start = System.nanoTime();
        Throwable failure = failed;
        if (failure == null) {
            try {
                List<StoreBatch> batches = new ArrayList<>(group.size());
                group.forEach(c -> batches.add(c.batch));
                store.commitAll(batches);
            } catch (RuntimeException | Error e) {
                failure = e;
                failed = e;
            }
        }
        long nanos = System.nanoTime() - start;
        for (Commit c : group) {
            c.nanos = nanos;
            c.groupSize = group.size();
            c.failure = failure;
            c.done = true;
        }
    }

    /** Commits what was submitted, then ends the thread (waits for it up to 30 s). */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
