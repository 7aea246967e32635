package fulcrum.store;

import fulcrum.core.store.StoreMeta;
import java.nio.file.Path;

/**
 * A format-3 store opened read-only, for tools that must not depend on the worker (dump, export,
 * the chaos checker): RocksDB's read-only open takes no lock, so it works beside a running worker,
 * and sees the state as of the open. Checks what {@link RocksStore#open} checks, and every value
 * when read. Besides the {@link fulcrum.core.store.StateReader} reads: the owner, the whole op log
 * and every command record, streamed.
 */
public final class ReadOnlyRocksStore extends RocksBase implements AutoCloseable {
    private final StoreMeta meta;

    private ReadOnlyRocksStore(Opening opening, StoreMeta meta) {
        super(opening.dir(), opening.tuning(), opening.db(), opening.read(), opening.guard());
        this.meta = meta;
    }

    static ReadOnlyRocksStore open(Path dir) {
        return Opening.open(dir, true, opening -> switch (OpenChecks.format(opening.reads())) {
            case EMPTY -> throw new StoreCorruptedException("store " + dir + " is empty: not a Fulcrum store");
            case ONE -> throw needsMigration(dir, 1);
            case TWO -> throw needsMigration(dir, 2);
            case THREE -> new ReadOnlyRocksStore(opening, OpenChecks.current(opening.reads(), null));
        });
    }

    private static StoreCorruptedException needsMigration(Path dir, int format) {
        return new StoreCorruptedException("store " + dir + " is in format " + format + ", and a read-only open never "
                + "writes: start its worker once (it migrates the store to format 3), then read it again");
    }

    /** The replica the store belongs to. */
    public String replicaId() {
        return meta.replicaId();
    }

    /** The meta as of the open. */
    @Override
    public StoreMeta meta() {
        return meta;
    }

    @Override
    public void close() {
        release();
    }
}
