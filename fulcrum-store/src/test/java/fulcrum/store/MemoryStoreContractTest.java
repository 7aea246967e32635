package fulcrum.store;

import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.ReplicaStore;

/** The contract on the in-memory fake: a "restart" keeps the same object, as a disk would. */
class MemoryStoreContractTest extends StoreContractTest {
    @Override
    ReplicaStore create() {
        return new MemoryStore(Sample.R1);
    }

    @Override
    ReplicaStore reopen(ReplicaStore store) {
        return store;
    }
}
