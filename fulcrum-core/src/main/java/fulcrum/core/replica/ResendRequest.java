package fulcrum.core.replica;

import java.util.Objects;

/**
 * A request to the replica {@code origin} (or to any replica that keeps origin's op log) to publish
 * again the operations of {@code origin} from {@code fromSeq} on. Produced when a receiver sees a gap
 * in an origin's sequence, when an operation waits for a causal predecessor of another origin, when
 * the bounded reorder buffer had to drop an operation, or when a peer announces that it has applied
 * more of an origin than this replica has.
 */
public record ResendRequest(String origin, long fromSeq) implements Comparable<ResendRequest> {
    public ResendRequest {
        Objects.requireNonNull(origin, "origin");
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq starts at 1, got " + fromSeq);
        }
    }

    @Override
    public int compareTo(ResendRequest other) {
        int c = origin.compareTo(other.origin);
        return c != 0 ? c : Long.compare(fromSeq, other.fromSeq);
    }
}
