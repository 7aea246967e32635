package fulcrum.core.replication;

import fulcrum.core.replica.Operation;
import fulcrum.core.replica.ResendRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Pure helpers over an op log that the caller keeps durably (the worker in RocksDB, the simulation
 * in a list): what to publish, how to answer a resend request, and what may be compacted.
 */
public final class OpLogs {
    private OpLogs() {
    }

    /**
     * The operations of {@code origin} with {@code originSeq >= fromSeq}, in sequence order, at most
     * {@code max} of them. Publish them on {@code fulcrum.merge}; a receiver ignores duplicates, so
     * publishing too much is harmless and publishing again after a crash is the recovery.
     */
    public static List<Operation> operationsToPublish(Collection<Operation> log, String origin, long fromSeq, int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative, got " + max);
        }
        List<Operation> out = new ArrayList<>();
        for (Operation op : log) {
            if (op.origin().equals(origin) && op.originSeq() >= fromSeq) {
                out.add(op);
            }
        }
        out.sort(Comparator.comparingLong(Operation::originSeq));
        return out.size() > max ? new ArrayList<>(out.subList(0, max)) : out;
    }

    /** The answer to a resend request: {@link #operationsToPublish} from the requested sequence on. */
    public static List<Operation> answer(ResendRequest request, Collection<Operation> log, int max) {
        return operationsToPublish(log, request.origin(), request.fromSeq(), max);
    }

    /**
     * Compaction rule: the operations of {@code origin} with {@code originSeq <= } the returned value
     * may be dropped from the op log, because every replica has announced that it applied them. The
     * value is the minimum, over every replica of {@code replicaIds}, of its announced applied
     * sequence for {@code origin}; a replica that has announced nothing counts as 0, so nothing is
     * dropped before every replica has spoken. Announcements only grow, so a stale one is safe.
     *
     * @param announcedVectors replica id → its last announced {@code appliedSeq()} vector (the
     *                         caller includes its own vector)
     */
    public static long compactableUpTo(String origin, Collection<String> replicaIds,
                                       Map<String, ? extends Map<String, Long>> announcedVectors) {
        if (replicaIds.isEmpty()) {
            return 0;
        }
        long min = Long.MAX_VALUE;
        for (String replica : replicaIds) {
            Map<String, Long> vector = announcedVectors.get(replica);
            Long seq = vector == null ? null : vector.get(origin);
            min = Math.min(min, seq == null ? 0 : seq);
        }
        return min;
    }
}
