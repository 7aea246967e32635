package fulcrum.core.store;

/**
 * A point-in-time copy of a replica's replicated state, read page by page: planet clocks, cities
 * and command records, in the store's key order. {@link #meta()} is the meta at the same point.
 */
public interface SnapshotView extends AutoCloseable {

    StoreMeta meta();

    /**
     * The items after {@code cursor} (null: from the start), at most {@code maxItems} of them.
     *
     * @throws IllegalArgumentException when {@code cursor} is not one this view returned
     */
    SnapshotPage page(String cursor, int maxItems);

    @Override
    void close();
}
