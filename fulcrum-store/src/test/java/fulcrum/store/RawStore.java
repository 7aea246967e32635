package fulcrum.store;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.testkit.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** A store's RocksDB seen and changed behind the store's back, and the fixtures of earlier formats. */
final class RawStore {
    private RawStore() {
    }

    /** Unpacks the test resource {@code resource} (a .tar.gz of this module's) into {@code into}. */
    static void unpack(String resource, Path into) {
        Fixtures.unpackTarGz(Fixtures.repositoryFile("fulcrum-store/src/test/resources/" + resource), into);
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
