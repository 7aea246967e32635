package fulcrum.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The native objects of a store being opened, closed again when the open fails half-way (a store
 * refused for its content must not keep the directory's lock).
 */
record Opening(Path dir, Tuning tuning, RocksDB db, ReadOptions read, Guard guard, Reads reads) {

    /** Opens the database and runs {@code body} on it; closes everything if {@code body} throws. */
    static <T> T open(Path dir, boolean readOnly, Function<Opening, T> body) {
        if (readOnly && !Files.isDirectory(dir)) {
            throw new StoreException("no data directory " + dir);
        }
        if (!readOnly) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new StoreException("cannot create data directory " + dir + ": " + e.getMessage(), e);
            }
        }
        Tuning tuning = new Tuning(!readOnly);
        RocksDB db;
        try {
            db = readOnly ? RocksDB.openReadOnly(tuning.options(), dir.toString())
                    : RocksDB.open(tuning.options(), dir.toString());
        } catch (RocksDBException e) {
            tuning.close();
            throw new StoreException("cannot open RocksDB in " + dir + (readOnly ? " read-only" : "") + ": "
                    + e.getMessage(), e);
        }
        ReadOptions read = new ReadOptions();
        Guard guard = new Guard((readOnly ? "read-only store " : "store ") + dir);
        Opening opening = new Opening(dir, tuning, db, read, guard, new Reads(db, read, guard, dir));
        try {
            return body.apply(opening);
        } catch (RuntimeException | Error e) {
            opening.close();
            throw e;
        }
    }

    /** Closes what {@link #open} opened, for a store that did not come to be. */
    void close() {
        db.close();
        read.close();
        tuning.close();
    }
}
