package fulcrum.worker.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The bytes a store takes on disk: every file under its directory (RocksDB's tables, logs and manifest). */
final class StoreSize {
    private StoreSize() {
    }

    /** The sum of the regular files under {@code dir}; NaN when it cannot be read (a scrape shows it as missing). */
    static double bytes(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(StoreSize::sizeOrZero).sum();
        } catch (IOException | UncheckedIOException e) {
            return Double.NaN;
        }
    }

    /** A file that compaction deleted between the listing and the size counts as nothing. */
    private static long sizeOrZero(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
