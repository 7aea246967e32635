package fulcrum.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads RocksDB's JNI library from one copy per library and user, extracted once, instead of the
 * fresh temporary file RocksJava extracts at every start. RocksJava deletes its copy only when the
 * JVM exits normally, so every process killed with kill -9 (the chaos tests, the bench, a worker in a
 * crash loop) left 15 MiB behind in {@code java.io.tmpdir}: 91 files, 1.4 GiB, after one session of
 * benchmarks. The copy lives in {@code <java.io.tmpdir>/fulcrum-rocksdbjni-<user>/}, a directory only
 * its owner may use (a library another user could replace would run as this one); it is written
 * under a temporary name and renamed, so a process never loads a half-written file and processes
 * that start together share it. Anything unexpected (another platform's library name, a directory
 * owned by someone else, a full disk) falls back to RocksJava's own loading.
 */
final class NativeLibrary {
    /** The library inside the rocksdbjni jar, e.g. {@code librocksdbjni-linux64.so}. */
    private static final String RESOURCE = Environment.getJniLibraryFileName("rocksdb");
    /**
     * The file name {@link RocksDB#loadLibrary(List)} looks for in a directory: RocksJava 10 asks for
     * the JNI file name of "rocksdbjni" ({@code librocksdbjnijni-linux64.so}), not of "rocksdb".
     */
    static final String LOADED_NAME = Environment.getJniLibraryFileName("rocksdbjni");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** An unfinished extraction older than this was left by a killed process. */
    private static final Duration STALE_EXTRACTION = Duration.ofMinutes(10);

    private static boolean loaded;

    private NativeLibrary() {
    }

    /** Loads the library once per JVM; later calls do nothing. */
    static synchronized void load() {
        if (!loaded) {
            loadOnce();
            loaded = true;
        }
    }

    private static void loadOnce() {
        Path cached = null;
        try {
            cached = cachedCopy(Path.of(System.getProperty("java.io.tmpdir"), "fulcrum-rocksdbjni-" + userName()));
        } catch (IOException | RuntimeException e) {
            // RocksJava's own extraction below
        }
        if (cached != null) {
            try {
                RocksDB.loadLibrary(List.of(cached.getParent().toString()));
                return;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                // e.g. a RocksJava that looks for another file name: its own extraction below
            }
        }
        RocksDB.loadLibrary();
    }

    /**
     * The extracted library under {@code root}, written there if it is not yet; null when the jar
     * holds no library of this platform's name.
     *
     * @throws IOException when {@code root} is not a directory of this user's alone, or writing fails
     */
    static Path cachedCopy(Path root) throws IOException {
        URL url = RocksDB.class.getClassLoader().getResource(RESOURCE);
        if (url == null) {
            return null;
        }
        URLConnection connection = url.openConnection();
        connection.setUseCaches(false); // a jar URL would otherwise keep the jar open for good
        long size = connection.getContentLengthLong();
        if (size <= 0) {
            return null;
        }
        Path dir = privateDirectory(root).resolve(Integer.toHexString(url.toString().hashCode()) + "-" + size);
        Files.createDirectories(dir);
        Path library = dir.resolve(LOADED_NAME);
        if (Files.isRegularFile(library, LinkOption.NOFOLLOW_LINKS) && Files.size(library) == size) {
            connection.getInputStream().close();
            return library;
        }
        removeStaleExtractions(dir);
        Path partial = Files.createTempFile(dir, "extracting-", ".part");
        try {
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(partial) != size) {
                throw new IOException("extracted " + Files.size(partial) + " bytes of " + RESOURCE + ", expected " + size);
            }
            // a process extracting at the same time renames the same bytes over it: either copy is whole
            Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        return library;
    }

    /** {@code root}, created for this user alone if absent; refused when anyone else may write or read it. */
    private static Path privateDirectory(Path root) throws IOException {
        try {
            Files.createDirectory(root, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)
                || !Files.getOwner(root, LinkOption.NOFOLLOW_LINKS).getName().equals(userName())
                || !Files.getPosixFilePermissions(root, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
            throw new IOException(root + " is not a directory of " + userName() + "'s alone (rwx------)");
        }
        return root;
    }

    private static void removeStaleExtractions(Path dir) throws IOException {
        FileTime before = FileTime.from(Instant.now().minus(STALE_EXTRACTION));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().startsWith("extracting-")
                        && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String userName() {
        return System.getProperty("user.name");
    }
}
