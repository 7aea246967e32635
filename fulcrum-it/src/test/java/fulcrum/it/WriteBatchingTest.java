package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.WriteBatching;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes batched by the client ({@code CommandBatch}) through the real router, three workers and
 * the broker: many writes submitted at once travel in fewer messages than writes, each is applied
 * exactly once (a planet's clock counts its writes) and answered under its own id, a session's next
 * write in a batch still goes to its last replica first (read-your-writes), and a client told not
 * to batch sends one message per write.
 */
class WriteBatchingTest {
    private static final int WRITES = 300;

    @TempDir
    Path tmp;

    @Test
    void writesSubmittedTogetherTravelInBatchesAndEachIsAppliedOnce() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("batching"), 3, tmp).startAll(List.of(), List.of());
             FulcrumClient client = FulcrumClient.connect(cluster.uri(), "batching", Duration.ofSeconds(90))) {
            List<Reply> added = all(client, i -> Command.addCity("Kamino_" + i, "Tipoca", i), i -> null);
            WriteBatching afterAdds = client.writeBatching();
            assertThat(afterAdds.messages()).as("fewer messages than writes: " + afterAdds).isLessThan(afterAdds.writes());

            List<Reply> updated = all(client, i -> Command.updateNumber("Kamino_" + i, "Tipoca", 1000 + i), added::get);
            List<Reply> read = all(client, i -> Command.getNumberRebelds("Kamino_" + i, "Tipoca"), updated::get);
            for (int i = 0; i < WRITES; i++) {
                assertThat(added.get(i).clock().sum()).as("AddCity applied once").isEqualTo(1);
                assertThat(updated.get(i).clock().sum()).as("UpdateNumber applied once, after AddCity").isEqualTo(2);
                assertThat(updated.get(i).replica()).as("the session's last replica first").isEqualTo(added.get(i).replica());
                assertThat(read.get(i).rebels()).isEqualTo(1000 + i);
                assertThat(read.get(i).clock().sum()).as("no write applied twice").isEqualTo(2);
            }
        }
    }

    @Test
    void aClientToldNotToBatchSendsEveryWriteAlone() throws Exception {
        try (Cluster cluster = new Cluster(TestBroker.freshVirtualHost("no-batching"), 1, tmp).startAll(List.of(), List.of());
             FulcrumClient client = FulcrumClient.connect(cluster.uri(), "alone", Duration.ofSeconds(90), 1)) {
            List<Reply> added = all(client, i -> Command.addCity("Kamino_" + i, "Tipoca", i), i -> null);
            assertThat(added).allSatisfy(r -> assertThat(r.clock().sum()).isEqualTo(1));
            WriteBatching batching = client.writeBatching();
            assertThat(batching.messages()).isEqualTo(batching.writes()).isEqualTo(WRITES);
        }
    }

    private static List<Reply> all(FulcrumClient client, IntFunction<Command> command, IntFunction<Reply> after)
            throws Exception {
        return SubmittedTogether.all(client, WRITES, command, after);
    }
}
