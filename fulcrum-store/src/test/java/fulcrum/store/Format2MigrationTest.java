package fulcrum.store;

import static fulcrum.store.Sample.R1;
import static fulcrum.store.Sample.R2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.replica.City;
import fulcrum.core.store.CityEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A format-2 store written by the previous code (planets with a rename, a delete, a name taken
 * again after a delete, an UpdateNumber of another incarnation, a refusal with its STALE reply, an
 * entry held beyond its applied mark, a compaction) migrates to format 3 with every read giving what that
 * code's reads gave ({@code format2-fixture-fulcrum-1.listing}, printed by it).
 */
class Format2MigrationTest {
    private static final String LISTING = "format2/format2-fixture-fulcrum-1.listing";
    /** Families whose values format 3 writes in binary (the rest, replies and marks, did not change). */
    private static final String[] REWRITTEN = {"clock\\0", "city\\0", "name\\0", "op\\0", "cmd\\0", "meta\\0incarnations\\0"};

    @TempDir
    Path tmp;
    private Path dir;

    @BeforeEach
    void unpack() {
        RawStore.unpack("format2/format2-fixture.tar.gz", tmp);
        dir = tmp.resolve("format2-fixture").resolve(R1);
    }

    @Test
    void migratesToTheSameReadsAndBinaryValues() {
        Map<String, String> old = RawStore.textEntries(dir);
        assertThat(old).containsEntry("meta/format", "2");
        assertThat(jsonValues(old)).hasSizeGreaterThan(20);

        try (RocksStore store = RocksStore.open(dir, R1)) {
            assertThat(StoreListing.of(store, "cmd-stale")).isEqualTo(RawStore.text(LISTING));
            assertThat(store.migration()).startsWith("format 2 to 3: " + jsonValues(old).size() + " values rewritten in ");
        }
        Map<String, String> migrated = RawStore.textEntries(dir);
        assertThat(migrated).containsEntry("meta/format", "3").containsOnlyKeys(old.keySet());
        assertThat(jsonValues(migrated)).isEmpty();
        old.forEach((key, value) -> {
            if (!rewritten(key) && !key.equals("meta/format")) {
                assertThat(migrated).as(key).containsEntry(key, value);
            }
        });

        try (RocksStore again = RocksStore.open(dir, R1)) {
            assertThat(StoreListing.of(again, "cmd-stale")).isEqualTo(RawStore.text(LISTING));
            assertThat(again.migration()).isNull();
        }
        assertThat(RawStore.textEntries(dir)).as("a second open changes nothing").isEqualTo(migrated);
        try (ReadOnlyRocksStore reader = RocksStore.openReadOnly(dir)) {
            assertThat(StoreListing.of(reader, "cmd-stale")).isEqualTo(RawStore.text(LISTING));
        }
    }

    @Test
    void aMigrationThatStoppedHalfWayIsFinishedByTheNextOpen() {
        // what a crash between two chunks leaves: some values binary, the format still 2
        byte[] cityKey = Keys.city("Hoth", "fulcrum-2:1");
        CityEntry hoth = formatTwoCity(cityKey);
        RawStore.put(dir, cityKey, Values.city(hoth.planet(), hoth.city()));
        assertThat(RawStore.textEntries(dir)).containsEntry("meta/format", "2");
        assertThatThrownBy(() -> RocksStore.openReadOnly(dir)).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("is in format 2").hasMessageContaining("start its worker once");

        try (RocksStore store = RocksStore.open(dir, R1)) {
            assertThat(StoreListing.of(store, "cmd-stale")).isEqualTo(RawStore.text(LISTING));
        }
        assertThat(RawStore.textEntries(dir)).containsEntry("meta/format", "3");
    }

    @Test
    void aValueThatIsNeitherFormatsIsRefusedAndTheStoreLeftInFormatTwo() {
        byte[] cityKey = Keys.city("Tatooine", "fulcrum-1:1");
        City espa = formatTwoCity(cityKey).city();
        RawStore.put(dir, cityKey, Keys.utf8("{\"planet\":\"Tatooine\","));
        assertThatThrownBy(() -> RocksStore.open(dir, R1)).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("cannot migrate the format-2 store")
                .hasMessageContaining("city\\0Tatooine\\0fulcrum-1:1")
                .hasMessageContaining("is not format 2's JSON of it")
                .hasMessageContaining("Move the directory away (the replica then rejoins from its peers)");
        assertThat(RawStore.textEntries(dir)).containsEntry("meta/format", "2")
                .containsEntry(Keys.describe(cityKey), "{\"planet\":\"Tatooine\",");

        RawStore.put(dir, cityKey, FulcrumJson.write(new CityEntry("Naboo", espa)));
        assertThatThrownBy(() -> RocksStore.open(dir, R1)).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("has planet 'Naboo'");
        assertThatThrownBy(() -> RocksStore.open(dir, R2)).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("belongs to replica 'fulcrum-1'");
        assertThat(RawStore.textEntries(dir)).containsEntry("meta/format", "2");
    }

    @Test
    void aStoreLargerThanAChunkMigratesWhole() {
        int cities = Format2Migration.CHUNK * 2 + 17;
        City template = formatTwoCity(Keys.city("Hoth", "fulcrum-2:1")).city();
        try (Options options = new Options();
             RocksDB db = RocksDB.open(options, dir.toString())) {
            for (int i = 0; i < cities; i++) {
                City c = new City("fulcrum-2:" + (1000 + i), template.createdAt(), template.name(), template.rebels(), null);
                db.put(Keys.city("Dagobah", c.id()), FulcrumJson.write(new CityEntry("Dagobah", c)));
            }
        } catch (RocksDBException e) {
            throw new AssertionError(e);
        }
        try (RocksStore store = RocksStore.open(dir, R1)) {
            for (int i = 0; i < cities; i++) {
                assertThat(store.city("Dagobah", "fulcrum-2:" + (1000 + i)).rebels()).isEqualTo(template.rebels());
            }
        }
        assertThat(jsonValues(RawStore.textEntries(dir))).isEmpty();
    }

    /** A city as the fixture holds it: format 2's JSON. */
    private CityEntry formatTwoCity(byte[] key) {
        try {
            return FulcrumJson.MAPPER.readValue(RawStore.entries(dir, v -> v).get(Keys.describe(key)), CityEntry.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean rewritten(String key) {
        for (String family : REWRITTEN) {
            if (key.startsWith(family)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> jsonValues(Map<String, String> entries) {
        Map<String, String> json = new TreeMap<>();
        entries.forEach((k, v) -> {
            if (rewritten(k) && (v.startsWith("{") || v.startsWith("["))) {
                json.put(k, v);
            }
        });
        return json;
    }
}
