package fulcrum.store;

import static fulcrum.store.Sample.R1;
import static fulcrum.store.Sample.add;
import static fulcrum.store.Sample.city;
import static fulcrum.store.Sample.record;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.Operation;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opt-in ({@code -Dfulcrum.store.scale=1000000}): a store with that many cities on one planet,
 * each with its op entry (compacted as it goes), command record, reply and name-index entry;
 * restart-to-serving (open, a city read, a commit on that planet) must stay well under 2 s.
 * Prints the figures the README quotes.
 */
@EnabledIfSystemProperty(named = "fulcrum.store.scale", matches = "\\d+")
class ScaleTest {
    private static final int BATCH = 10_000;

    @TempDir
    Path dir;

    @Test
    void restartToServingDoesNotGrowWithTheNumberOfCities() throws IOException {
        int cities = Integer.getInteger("fulcrum.store.scale");
        long fillStart = System.nanoTime();
        try (RocksStore store = RocksStore.open(dir, R1)) {
            store.commit(new StoreBatch().putPhase(Phase.SERVING).putIncarnation(1));
            for (int from = 1; from <= cities; from += BATCH) {
                StoreBatch batch = new StoreBatch();
                int to = Math.min(cities, from + BATCH - 1);
                for (int seq = from; seq <= to; seq++) {
                    Operation op = add(R1, seq, "Coruscant", "City_" + seq, seq, VectorClock.of(Map.of(R1, (long) seq)));
                    batch.putCity("Coruscant", city(op)).putNamedIds("Coruscant", op.name(), List.of(op.cityId()))
                            .putOperation(op).putCommandRecords(op.commandId(), List.of(record(op)))
                            .putReply(op.commandId(), Sample.ok("Coruscant", op.name(), op.clock()));
                }
                batch.putClock("Coruscant", VectorClock.of(Map.of(R1, (long) to))).putAppliedSeq(R1, to);
                if (from > 1) {
                    batch.compact(R1, from - 1);
                }
                store.commit(batch);
            }
        }
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;

        long start = System.nanoTime();
        Operation update;
        try (RocksStore store = RocksStore.open(dir, R1)) {
            double openMs = (System.nanoTime() - start) / 1e6;
            assertThat(store.meta().applied(R1)).isEqualTo(cities);
            assertThat(store.city("Coruscant", Operation.cityIdOf(R1, cities / 2))).isNotNull();
            assertThat(store.cityIdsNamed("Coruscant", "City_" + (cities / 3))).hasSize(1);
            assertThat(store.reply("never-sent")).isNull();
            update = new Operation(R1, 1, cities + 1L, "Coruscant", fulcrum.core.replica.OpKind.UpdateNumber,
                    Operation.cityIdOf(R1, 1), null, 7L, VectorClock.of(Map.of(R1, cities + 1L)), "cmd-update");
            store.commit(new StoreBatch().putCity("Coruscant", city(add(R1, 1, "Coruscant", "City_1", 1,
                            VectorClock.of(Map.of(R1, 1L))), update)).putOperation(update)
                    .putClock("Coruscant", update.clock()).putAppliedSeq(R1, cities + 1L));
            double servingMs = (System.nanoTime() - start) / 1e6;
            long bytes;
            try (var files = Files.walk(dir)) {
                bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            System.out.printf("scale: %d cities, fill %.1f s, open %.0f ms, open+reads+commit %.0f ms, "
                    + "disk %d MiB, RocksDB block cache %d MiB, memtables %d MiB, table readers %d MiB, "
                    + "process %s (heap grown by the fill included)%n", cities, fillSeconds, openMs, servingMs,
                    bytes >> 20, property(store, "rocksdb.block-cache-usage"),
                    property(store, "rocksdb.cur-size-all-mem-tables"),
                    property(store, "rocksdb.estimate-table-readers-mem"), rss());
            assertThat(servingMs).isLessThan(2000);
        }
    }

    private static long property(RocksStore store, String name) {
        try {
            return Long.parseLong(store.db().getProperty(name)) >> 20;
        } catch (org.rocksdb.RocksDBException e) {
            throw new AssertionError(e);
        }
    }

    private static String rss() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                .map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("?");
    }
}
