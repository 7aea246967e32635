package fulcrum.store;

import static fulcrum.store.Sample.R1;
import static fulcrum.store.Sample.R2;
import static fulcrum.store.Sample.R3;
import static fulcrum.store.Sample.list;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Format-1 stores written by the previous code (a three-replica cluster: a merge, a compaction of
 * fulcrum-1#1..#2 on fulcrum-1, a STALE refusal on fulcrum-3, an unpublished rename on fulcrum-2)
 * migrate to exactly the dump and op log that code printed for them.
 */
class Format1MigrationTest {
    private static final List<String> IDS = List.of(R1, R2, R3);

    @TempDir
    Path tmp;
    private Path fixture;

    @BeforeEach
    void unpack() {
        RawStore.unpack("format1/format1-fixture.tar.gz", tmp);
        fixture = tmp.resolve("format1-fixture");
    }

    @ParameterizedTest
    @ValueSource(strings = {R1, R2, R3})
    void migratesToTheDumpOpLogMarksAndRepliesOfTheOldCode(String id) {
        Path dir = fixture.resolve(id);
        Map<String, String> old = raw(dir);
        assertThat(old).containsEntry("meta/format", "1");
        try (RocksStore store = RocksStore.open(dir, id)) {
            assertMigrated(store, id, old);
        }
        Map<String, String> migrated = raw(dir);
        assertThat(migrated).containsEntry("meta/format", "3");
        assertThat(migrated.keySet()).noneMatch(k -> k.startsWith("planet/") || k.startsWith("op/")
                || k.startsWith("dedup/") || (k.startsWith("meta/") && !k.equals("meta/format")));

        try (RocksStore again = RocksStore.open(dir, id)) {
            assertMigrated(again, id, old);
        }
        assertThat(raw(dir)).as("a second open changes nothing").isEqualTo(migrated);
        try (ReadOnlyRocksStore reader = RocksStore.openReadOnly(dir)) {
            assertThat(reader.replicaId()).isEqualTo(id);
            assertThat(CanonicalDump.of(IDS, reader.planets(), reader.meta().appliedSeq())).isEqualTo(text(id + ".dump"));
        }
    }

    private void assertMigrated(RocksStore store, String id, Map<String, String> old) {
        assertThat(CanonicalDump.of(IDS, store.planets(), store.meta().appliedSeq())).isEqualTo(text(id + ".dump"));
        List<Operation> ops = list(store.allOperations());
        assertThat(ops).extracting(Operation::incarnation).containsOnly(1L);
        assertThat(oldOpLog(ops) + "\n" + store.meta().publishedUpTo() + " " + store.meta().compactedUpTo())
                .isEqualTo(text(id + ".ops"));

        assertThat(store.meta().replicaId()).isEqualTo(id);
        assertThat(store.meta().phase()).isEqualTo(Phase.SERVING);
        assertThat(store.meta().incarnation()).isEqualTo(1);
        TreeMap<String, Long> applied = new TreeMap<>();
        old.forEach((k, v) -> {
            if (k.startsWith("meta/applied/")) {
                applied.put(k.substring("meta/applied/".length()), Long.parseLong(v));
            }
        });
        assertThat(store.meta().appliedSeq()).isEqualTo(applied);
        assertThat(store.meta().incarnations()).containsOnlyKeys(IDS)
                .allSatisfy((origin, starts) -> assertThat(starts).containsExactly(new IncarnationStart(1, 1)));

        old.forEach((k, v) -> {
            if (k.startsWith("dedup/")) {
                String commandId = k.substring("dedup/".length());
                assertThat(store.reply(commandId)).isEqualTo(ReplyCodec.decode(v.getBytes(StandardCharsets.UTF_8)));
            }
        });
        for (Operation op : ops) {
            assertThat(store.commandRecords(op.commandId())).containsExactly(
                    CommandRecord.of(op));
        }
        for (Planet planet : store.planets()) {
            for (City city : planet.cities().values()) {
                assertThat(store.cityIdsNamed(planet.name(), city.name().value())).containsExactly(city.id());
            }
        }
    }

    @Test
    void theFixturesParticularsSurviveTheMigration() {
        try (RocksStore one = RocksStore.open(fixture.resolve(R1), R1)) {
            assertThat(one.meta().compacted(R1)).isEqualTo(2);
            assertThat(one.operations(R1, 1, 10)).extracting(Operation::originSeq).containsExactly(3L);
            // compacted before the migration: no record, but the reply still answers a re-send
            assertThat(one.commandRecords("cmd-1")).isEmpty();
            assertThat(one.reply("cmd-1").ok()).isTrue();
            assertThat(one.reply("cmd-7").errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);
        }
        try (RocksStore two = RocksStore.open(fixture.resolve(R2), R2)) {
            assertThat(two.meta().publishedUpTo()).isEqualTo(2);
            assertThat(two.meta().applied(R2)).isEqualTo(3);
            assertThat(two.cityIdsNamed("Tatooine", "Mos_Eisley")).containsExactly("fulcrum-1:1");
            assertThat(two.cityIdsNamed("Tatooine", "Mos_Espa")).isEmpty();
            assertThat(two.commandRecords("cmd-rename")).extracting(CommandRecord::originSeq).containsExactly(3L);
        }
        try (RocksStore three = RocksStore.open(fixture.resolve(R3), R3)) {
            assertThat(three.reply("cmd-stale").errorCode()).isEqualTo(ErrorCode.STALE);
            assertThat(three.commandRecords("cmd-stale")).isEmpty();
            assertThat(three.commandRecords("cmd-1")).extracting(CommandRecord::origin).containsExactly(R1);
        }
    }

    @Test
    void aMigrationInterruptedBeforeItsFinalBatchRunsAgainFromFormatOne() {
        Path dir = fixture.resolve(R1);
        Map<String, String> old = raw(dir);
        Opening.open(dir, false, opening -> {
            try {
                Format1Migration.writeNewKeys(opening.db(), opening.tuning(), opening.reads(), R1);
            } finally {
                opening.close();
            }
            return null;
        });
        Map<String, String> half = raw(dir);
        assertThat(half).containsAllEntriesOf(old).containsKey("city\\0Tatooine\\0fulcrum-1:1\\0");
        assertThatThrownBy(() -> RocksStore.openReadOnly(dir)).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("format 1").hasMessageContaining("start its worker once");
        // a leftover the first attempt could not have written: the second one must not keep it
        put(dir, Keys.city("Stray", "fulcrum-9:9"), Values.city("Stray", Sample.city(
                Sample.add("fulcrum-9", 9, "Stray", "Nowhere", 1, Sample.clock(0, 0, 0).increment("fulcrum-9")))));

        try (RocksStore store = RocksStore.open(dir, R1)) {
            assertMigrated(store, R1, old);
            assertThat(store.city("Stray", "fulcrum-9:9")).isNull();
        }
    }

    @Test
    void aFormatOneStoreThatFailsTheOldChecksIsRefusedAndLeftAsItWas() {
        Path dir = tmp.resolve("broken");
        put(dir, Keys.utf8("meta/format"), Keys.utf8("1"));
        put(dir, Keys.utf8("meta/replica"), Keys.utf8(R1));
        put(dir, Keys.utf8("meta/applied/fulcrum-1"), Keys.utf8("2"));
        put(dir, Keys.utf8("op/fulcrum-1/00000000000000000001"), Keys.utf8("{\"origin\":\"fulcrum-1\",\"originSeq\":1,"
                + "\"planet\":\"Hoth\",\"kind\":\"AddCity\",\"cityId\":\"fulcrum-1:1\",\"name\":\"Echo_Base\",\"rebels\":1,"
                + "\"clock\":{\"fulcrum-1\":1},\"commandId\":\"cmd-1\"}"));
        Map<String, String> old = raw(dir);
        assertThatThrownBy(() -> RocksStore.open(dir, R1)).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("cannot migrate the format-1 store")
                .hasMessageContaining("applied sequence of fulcrum-1 is 2 and compaction floor 0, but the op log holds 1")
                .hasMessageContaining("Move the directory away (the replica then rejoins from its peers)");
        assertThat(raw(dir)).containsAllEntriesOf(old);

        put(dir, Keys.utf8("meta/applied/fulcrum-1"), Keys.utf8("1"));
        put(dir, Keys.utf8("planet/Hoth"), Keys.utf8("{\"name\":\"Naboo\",\"clock\":{},\"cities\":{}}"));
        assertThatThrownBy(() -> RocksStore.open(dir, R1)).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("is planet 'Naboo'");
        assertThatThrownBy(() -> RocksStore.open(dir, R2)).isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("belongs to replica 'fulcrum-1'");
        assertThat(raw(dir)).containsEntry("meta/format", "1");
    }

    /** The op log as the old code printed it: its Operation had no incarnation. */
    private static String oldOpLog(List<Operation> ops) {
        return ops.stream().map(op -> "Operation[origin=" + op.origin() + ", originSeq=" + op.originSeq()
                + ", planet=" + op.planet() + ", kind=" + op.kind() + ", cityId=" + op.cityId() + ", name=" + op.name()
                + ", rebels=" + op.rebels() + ", clock=" + op.clock() + ", commandId=" + op.commandId() + "]")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static Map<String, String> raw(Path dir) {
        return RawStore.textEntries(dir);
    }

    private static void put(Path dir, byte[] key, byte[] value) {
        RawStore.put(dir, key, value);
    }

    private static String text(String name) {
        return RawStore.text("format1/format1-fixture-" + name);
    }
}
