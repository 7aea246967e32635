package fulcrum.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RocksDB's JNI library is extracted once per user and shared, never once per process: a process
 * killed with kill -9 used to leave its 15 MiB copy in the temporary directory.
 */
class NativeLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void theLibraryIsExtractedOnceThenReused() throws IOException {
        Path root = tmp.resolve("cache");
        Path first = NativeLibrary.cachedCopy(root);
        assertThat(first).isRegularFile().hasFileName(NativeLibrary.LOADED_NAME);
        assertThat(Files.size(first)).isGreaterThan(1 << 20);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
        Object file = Files.readAttributes(first, BasicFileAttributes.class).fileKey();

        Path second = NativeLibrary.cachedCopy(root);
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAttributes(second, BasicFileAttributes.class).fileKey()).as("not written again").isEqualTo(file);
        try (var files = Files.list(first.getParent())) {
            assertThat(files).containsExactly(first);
        }
    }

    @Test
    void aTruncatedCopyIsReplacedByAWholeOne() throws IOException {
        Path root = tmp.resolve("cache");
        Path library = NativeLibrary.cachedCopy(root);
        long whole = Files.size(library);
        Files.write(library, new byte[] {1, 2, 3});

        assertThat(NativeLibrary.cachedCopy(root)).isEqualTo(library);
        assertThat(Files.size(library)).isEqualTo(whole);
    }

    @Test
    void aDirectoryOthersMayWriteIsNotUsed() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> NativeLibrary.cachedCopy(root))
                .isInstanceOf(IOException.class).hasMessageContaining("rwx------");
    }

    @Test
    void anExtractionLeftByAKilledProcessIsRemovedAndAFreshOneKept() throws IOException {
        Path root = tmp.resolve("cache");
        Path library = NativeLibrary.cachedCopy(root);
        Path stale = Files.createFile(library.resolveSibling("extracting-1.part"));
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        Path fresh = Files.createFile(library.resolveSibling("extracting-2.part"));
        Files.delete(library);

        NativeLibrary.cachedCopy(root);

        assertThat(library).isRegularFile();
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
    }

    /**
     * In a JVM of its own, where nothing loaded RocksDB before the store does (in this one, other
     * tests may have used RocksJava directly first): the library mapped is the shared copy.
     */
    @Test
    void aProcessOpeningAStoreRunsTheSharedCopy() throws Exception {
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName(), tmp.resolve("store").toString())
                .redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(probe.waitFor()).as(out).isZero();

        assertThat(out).contains("/fulcrum-rocksdbjni-" + System.getProperty("user.name") + "/")
                .contains(NativeLibrary.LOADED_NAME).doesNotContainPattern("/librocksdbjni[0-9]+\\.so");
    }

    /** Opens a store, then prints the RocksDB libraries mapped into its JVM. */
    static final class Probe {
        public static void main(String[] args) throws IOException {
            try (RocksStore store = RocksStore.open(Path.of(args[0]), "fulcrum-1")) {
                Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("rocksdbjni"))
                        .map(l -> l.substring(l.indexOf('/'))).distinct().forEach(System.out::println);
            }
        }
    }
}
