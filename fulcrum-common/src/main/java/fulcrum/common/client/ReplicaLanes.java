package fulcrum.common.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Which writes go to a replica in which message: the batching rule of {@link CommandPipeline},
 * without I/O. Per replica, at most {@link #UNANSWERED_MESSAGES_PER_REPLICA} messages may wait for
 * their answers; a write added while the replica's lane is full waits, and once a message is
 * answered ({@link #release}) every write that waited goes in the next message, up to
 * {@code batchMax} writes and {@code maxBatchBytes}. With {@code batchMax} 1 nothing waits: every
 * write is its own message at once. Not thread-safe: the pipeline holds its publish lock.
 *
 * @param <W> a write in flight
 */
final class ReplicaLanes<W> {
    /**
     * Messages to one replica whose writes are not all answered, at most, while batching: two, so
     * the replica has the next batch in its queue while it executes one (measured: one message gave
     * batches of 13.5 writes and fewer writes/s, two 7.7 and the most; gating on the broker's confirm
     * instead of the answer, 3.0).
     */
    static final int UNANSWERED_MESSAGES_PER_REPLICA = 2;

    private static final class Lane<W> {
        final ArrayDeque<W> waiting = new ArrayDeque<>();
        /** Messages handed out for the replica and not yet released. */
        int unanswered;
    }

    private final int batchMax;
    private final int maxBatchBytes;
    private final ToIntFunction<W> bytesOf;
    private final Predicate<W> ended;
    private final Map<String, Lane<W>> lanes = new HashMap<>();

    /**
     * @param bytesOf what a write adds to a batch's body
     * @param ended   whether a waiting write has ended meanwhile (its deadline passed): it is dropped
     */
    ReplicaLanes(int batchMax, int maxBatchBytes, ToIntFunction<W> bytesOf, Predicate<W> ended) {
        if (batchMax < 1) {
            throw new IllegalArgumentException("batchMax must be at least 1, got " + batchMax);
        }
        this.batchMax = batchMax;
        this.maxBatchBytes = maxBatchBytes;
        this.bytesOf = bytesOf;
        this.ended = ended;
    }

    /** A write for {@code replica}: it waits its turn (see {@link #next}). */
    void add(String replica, W write) {
        lanes.computeIfAbsent(replica, r -> new Lane<>()).waiting.addLast(write);
    }

    /**
     * The next message to send to {@code replica}, or null when nothing waits or its lane is full.
     * The message counts as unanswered until {@link #release}d (also when it could not be sent).
     */
    List<W> next(String replica) {
        Lane<W> lane = lanes.get(replica);
        if (lane == null || (batchMax > 1 && lane.unanswered >= UNANSWERED_MESSAGES_PER_REPLICA)) {
            return null;
        }
        List<W> batch = new ArrayList<>();
        int bytes = 0;
        while (!lane.waiting.isEmpty() && batch.size() < batchMax
                && (batch.isEmpty() || bytes + bytesOf.applyAsInt(lane.waiting.peekFirst()) <= maxBatchBytes)) {
            W write = lane.waiting.removeFirst();
            if (!ended.test(write)) {
                batch.add(write);
                bytes += bytesOf.applyAsInt(write);
            }
        }
        if (batch.isEmpty()) {
            return null;
        }
        if (batchMax > 1) {
            lane.unanswered++;
        }
        return batch;
    }

    /** A message to {@code replica} needs no more room: all its writes were answered, or it was never sent. */
    void release(String replica) {
        Lane<W> lane = lanes.get(replica);
        if (batchMax > 1 && lane != null && lane.unanswered > 0) {
            lane.unanswered--;
        }
    }

    /** The channel is gone: nothing waits, nothing is out. */
    void clear() {
        lanes.clear();
    }
}
