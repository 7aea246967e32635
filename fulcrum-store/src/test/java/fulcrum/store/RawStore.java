package fulcrum.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** A store's RocksDB seen and changed behind the store's back, and the fixtures of earlier formats. */
final class RawStore {
    private RawStore() {
    }

    /** Unpacks the test resource {@code resource} (a .tar.gz) into {@code into}. */
    static void unpack(String resource, Path into) {
        try (InputStream in = resource(resource);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                Path target = into.resolve(e.getName()).normalize();
                assertThat(target.startsWith(into)).as("inside %s: %s", into, e.getName()).isTrue();
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of the test resource {@code resource}. */
    static String text(String resource) {
        try (InputStream in = resource(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every key and value as text, keys as {@link Keys#describe} shows them. */
    static Map<String, String> textEntries(Path dir) {
        return entries(dir, value -> new String(value, StandardCharsets.UTF_8));
    }

    /** Every key, as {@link Keys#describe} shows it, and its value through {@code value}. */
    static <T> Map<String, T> entries(Path dir, Function<byte[], T> value) {
        TreeMap<String, T> out = new TreeMap<>();
        try (Options options = new Options(); RocksDB db = RocksDB.openReadOnly(options, dir.toString());
             RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                out.put(Keys.describe(it.key()), value.apply(it.value()));
            }
        } catch (RocksDBException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    static void put(Path dir, byte[] key, byte[] value) {
        try (Options options = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(options, dir.toString())) {
            db.put(key, value);
        } catch (RocksDBException e) {
            throw new AssertionError(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = RawStore.class.getResourceAsStream("/" + name);
        assertThat(in).as(name).isNotNull();
        return in;
    }
}
