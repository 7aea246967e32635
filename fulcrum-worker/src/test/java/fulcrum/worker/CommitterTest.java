package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import fulcrum.store.RocksStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committer thread over a real RocksDB store: in order, grouped, and stopping at the first failure. */
class CommitterTest {
    @TempDir
    Path dir;

    @Test
    void commitsEveryBatchInOrderAndWakesTheLoopAfterEachGroup() {
        Semaphore wakeUps = new Semaphore(0);
        List<String> filed = new ArrayList<>();
        try (RocksStore store = RocksStore.open(dir, "fulcrum-1");
             Committer committer = new Committer(store, "committer-test", wakeUps::release)) {
            List<Committer.Commit> commits = new ArrayList<>();
            commits.add(committer.submit(new StoreBatch().putIncarnation(1).putPhase(Phase.SERVING)));
            for (int i = 1; i <= 20; i++) {
                filed.add("fulcrum-1:" + i);
                commits.add(committer.submit(new StoreBatch().putNamedIds("Tatooine", "Mos", filed)
                        .putAppliedSeq("fulcrum-2", i)));
            }
            await().atMost(30, TimeUnit.SECONDS).until(() -> commits.stream().allMatch(Committer.Commit::done));
            assertThat(commits).allSatisfy(c -> assertThat(c.failure()).isNull());
            assertThat(store.meta().appliedSeq()).containsEntry("fulcrum-2", 20L);
            assertThat(store.cityIdsNamed("Tatooine", "Mos")).hasSize(20);
            assertThat(wakeUps.availablePermits()).isPositive();
            assertThat(commits.stream().mapToInt(Committer.Commit::groupSize).max().orElse(0)).isBetween(1, 21);
        }
    }

    @Test
    void aFailedCommitFailsItsGroupAndEveryLaterBatchWithoutWritingThem() {
        try (RocksStore store = RocksStore.open(dir, "fulcrum-1")) {
            Committer committer = new Committer(store, "committer-test", () -> { });
            Committer.Commit refused = committer.submit(new StoreBatch().putPublishedUpTo(5)); // nothing of its own to publish
            await().atMost(30, TimeUnit.SECONDS).until(refused::done);
            Committer.Commit later = committer.submit(new StoreBatch().putAppliedSeq("fulcrum-2", 1));
            await().atMost(30, TimeUnit.SECONDS).until(later::done);
            committer.close();
            assertThat(refused.failure()).isInstanceOf(IllegalArgumentException.class);
            assertThat(later.failure()).isSameAs(refused.failure());
            assertThat(store.meta().appliedSeq()).doesNotContainKey("fulcrum-2");
        }
    }
}
