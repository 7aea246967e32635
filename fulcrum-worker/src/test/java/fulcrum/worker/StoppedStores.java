package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.replication.CanonicalDump;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads stores whose workers have stopped. */
final class StoppedStores {
    private StoppedStores() {
    }

    /** The canonical dump of each store (opened read-only), in the order given. */
    static List<String> dumps(List<Path> dirs) {
        List<String> dumps = new ArrayList<>();
        for (Path dir : dirs) {
            try (ReadOnlyRocksStore store = RocksStore.openReadOnly(dir)) {
                dumps.add(CanonicalDump.of(WorkerCommandsTest.IDS, store.planets(), store.meta().appliedSeq()));
            }
        }
        return dumps;
    }

    /** The stores' dumps are byte-identical and hold {@code lines}. */
    static void assertIdentical(List<Path> dirs, String... lines) {
        List<String> dumps = dumps(dirs);
        for (int i = 1; i < dumps.size(); i++) {
            assertThat(dumps.get(i)).as(dirs.get(i).toString()).isEqualTo(dumps.get(0));
        }
        assertThat(dumps.get(0)).contains(lines);
    }
}
