package fulcrum.common.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/**
 * The publishes of one channel awaiting the broker's confirm, by publish sequence number, and the
 * batches among them by batch id: a confirm settles exactly the publishes it covers (all up to its
 * number when {@code multiple}), and a returned message, which names its batch by correlation id,
 * finds the batch while it is unconfirmed (the broker returns a message before it confirms it).
 * Thread-safe: publishes are tracked under the publisher's lock, confirms arrive on the
 * connection's thread.
 *
 * @param <T> what was published
 */
final class PublishConfirms<T> {
    private final ConcurrentNavigableMap<Long, T> bySeq = new ConcurrentSkipListMap<>();
    private final Map<String, T> batches = new ConcurrentHashMap<>();
    private final Function<T, String> batchIdOf;

    /** @param batchIdOf a publish's batch id, or null when it is not a batch */
    PublishConfirms(Function<T, String> batchIdOf) {
        this.batchIdOf = batchIdOf;
    }

    /** {@code publish} goes out with sequence number {@code seq}: tracked until confirmed. */
    void track(long seq, T publish) {
        bySeq.put(seq, publish);
        String batchId = batchIdOf.apply(publish);
        if (batchId != null) {
            batches.put(batchId, publish);
        }
    }

    /** The publish with {@code seq} did not go out after all. */
    void untrack(long seq) {
        T publish = bySeq.remove(seq);
        String batchId = publish == null ? null : batchIdOf.apply(publish);
        if (batchId != null) {
            batches.remove(batchId);
        }
    }

    /** The publishes a confirm of {@code seq} settles, in their order; they are no longer tracked. */
    List<T> settle(long seq, boolean multiple) {
        Map<Long, T> settled = multiple ? bySeq.headMap(seq, true) : bySeq.subMap(seq, true, seq, true);
        List<T> out = new ArrayList<>(settled.values());
        for (T publish : out) {
            String batchId = batchIdOf.apply(publish);
            if (batchId != null) {
                batches.remove(batchId);
            }
        }
        settled.clear();
        return out;
    }

    /** The unconfirmed batch with this id, or null. */
    T batch(String batchId) {
        return batchId == null ? null : batches.get(batchId);
    }

    /** Forgets every publish (the channel is gone: none will be confirmed). */
    void clear() {
        bySeq.clear();
        batches.clear();
    }
}
