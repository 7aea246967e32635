package fulcrum.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Test fixtures kept as files of the repository (e.g. tarballs of real RocksDB stores). */
public final class Fixtures {
    private Fixtures() {
    }

    /**
     * The repository's root: the nearest directory above the working directory (a module's, when
     * Maven runs the tests) that holds {@code mvnw}.
     */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** A file of the repository, by its path from the root; it must exist. */
    public static Path repositoryFile(String relativePath) {
        Path file = repositoryRoot().resolve(relativePath);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("fixture " + file + " is missing");
        }
        return file;
    }

    /** Unpacks a {@code .tar.gz} into {@code into}; refuses entries that would land outside it. */
    public static void unpackTarGz(Path archive, Path into) {
        try (InputStream in = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IllegalStateException(archive + " holds an entry outside its directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + archive, e);
        }
    }
}
