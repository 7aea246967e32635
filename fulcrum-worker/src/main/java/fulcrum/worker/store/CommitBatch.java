package fulcrum.worker.store;

import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one synced write carries: the latest version of every planet changed, the new op-log
 * entries, the dedup replies and the new applied sequence numbers. Later puts of the same planet,
 * reply or origin replace earlier ones, so a batch of many commands writes each key once.
 */
public final class CommitBatch {
    private final Map<String, Planet> planets = new TreeMap<>();
    private final List<Operation> operations = new ArrayList<>();
    private final Map<String, Reply> replies = new LinkedHashMap<>();
    private final Map<String, Long> appliedSeq = new TreeMap<>();
    private final Map<String, Long> compactUpTo = new TreeMap<>();
    private Long publishedUpTo;

    public CommitBatch putPlanet(Planet planet) {
        planets.put(planet.name(), Objects.requireNonNull(planet, "planet"));
        return this;
    }

    /** Adds an op-log entry and raises the applied sequence number of its origin to it. */
    public CommitBatch addOperation(Operation operation) {
        operations.add(Objects.requireNonNull(operation, "operation"));
        appliedSeq.merge(operation.origin(), operation.originSeq(), Math::max);
        return this;
    }

    public CommitBatch putReply(String commandId, Reply reply) {
        replies.put(Objects.requireNonNull(commandId, "commandId"), Objects.requireNonNull(reply, "reply"));
        return this;
    }

    public CommitBatch putAppliedSeq(String origin, long seq) {
        appliedSeq.put(Objects.requireNonNull(origin, "origin"), seq);
        return this;
    }

    /** Records that this replica's own operations 1..{@code seq} were published and confirmed. */
    public CommitBatch putPublishedUpTo(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("published mark must not be negative, got " + seq);
        }
        publishedUpTo = seq;
        return this;
    }

    /**
     * Deletes the op-log entries of {@code origin} with sequence number {@code <= upTo} and raises the
     * origin's compaction floor ({@code meta/compacted/<origin>}) to {@code upTo}.
     */
    public CommitBatch compact(String origin, long upTo) {
        if (upTo < 1) {
            throw new IllegalArgumentException("compaction floor must be positive, got " + upTo);
        }
        compactUpTo.merge(Objects.requireNonNull(origin, "origin"), upTo, Math::max);
        return this;
    }

    public boolean isEmpty() {
        return planets.isEmpty() && operations.isEmpty() && replies.isEmpty() && appliedSeq.isEmpty()
                && compactUpTo.isEmpty() && publishedUpTo == null;
    }

    /** The new published mark, or null when this batch does not change it. */
    public Long publishedUpTo() {
        return publishedUpTo;
    }

    public Map<String, Long> compactUpTo() {
        return Collections.unmodifiableMap(compactUpTo);
    }

    public Map<String, Planet> planets() {
        return Collections.unmodifiableMap(planets);
    }

    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }

    public Map<String, Reply> replies() {
        return Collections.unmodifiableMap(replies);
    }

    public Map<String, Long> appliedSeq() {
        return Collections.unmodifiableMap(appliedSeq);
    }
}
