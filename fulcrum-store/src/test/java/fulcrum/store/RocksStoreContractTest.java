package fulcrum.store;

import fulcrum.core.store.ReplicaStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract on RocksDB in a temporary directory; a restart closes and opens it again. */
class RocksStoreContractTest extends StoreContractTest {
    @TempDir
    Path dir;

    @Override
    ReplicaStore create() {
        return RocksStore.open(dir, Sample.R1);
    }

    @Override
    ReplicaStore reopen(ReplicaStore store) {
        store.close();
        return RocksStore.open(dir, Sample.R1);
    }
}
