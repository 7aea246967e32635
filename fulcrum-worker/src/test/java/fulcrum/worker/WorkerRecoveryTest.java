package fulcrum.worker;

import static fulcrum.worker.WorkerCommandsTest.clock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fulcrum.core.domain.Command;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.Operation;
import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker closes the worker's connection (as on a network failure) while commands are in flight:
 * automatic recovery brings its consumers back on new channels, deliveries of the old channels are
 * never acked on the new ones, and every command is answered and applied once.
 */
class WorkerRecoveryTest {
    private static final int AFTER_CLOSE = 200;

    @TempDir
    Path dataDir;

    @Test
    void theWorkerResumesAfterTheBrokerClosesItsConnectionAndAppliesEachCommandOnce() throws Exception {
        assumeTrue(TestBroker.usesPrivateNode(), "needs the private node's rabbitmqctl");
        // small prefetch and batches, so that the connection goes while deliveries are unacked
        try (LoneReplica replica = LoneReplica.start(dataDir, s -> new WorkerSettings(s.replicaId(), 3, s.uri(), 8, 4,
                s.connectTimeout(), s.mergeInterval(), s.statusInterval(), s.replication()))) {
            // commands keep coming until well after the connection went, so that some are in flight when it goes
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger afterClose = new AtomicInteger(-1);
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; afterClose.get() < AFTER_CLOSE; i++) {
                        ids.add(replica.client.send(Command.addCity("Endor", "Village_" + i, i)));
                        if (afterClose.get() >= 0) {
                            afterClose.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Awaitility.await("the first answers").atMost(TestClient.WAIT)
                    .until(() -> ids.size() >= 20 && replica.client.replyIfAny(ids.get(19)).isPresent());
            assertThat(TestBroker.privateNode().closeConnections(TestBroker.virtualHost(replica.uri), "fulcrum-worker-fulcrum-1"))
                    .isEqualTo(1);
            int sentBeforeClose = ids.size();
            afterClose.set(0);
            sender.get(2, TimeUnit.MINUTES);
            int commands = ids.size();
            System.out.printf("connection closed after %d commands were sent; %d in all%n", sentBeforeClose, commands);
            for (String id : ids) {
                assertThat(replica.client.awaitReply(id).ok()).as(id).isTrue();
            }
            assertThat(replica.worker.store.meta().applied("fulcrum-1")).isEqualTo(commands);
            for (String id : ids) {
                assertThat(replica.worker.store.commandRecords(id)).as("%s applied once", id).hasSize(1);
            }
            assertThat(clock(replica.client.call(Command.getNumberRebelds("Endor", "Village_" + (commands - 1))))).isEqualTo("[" + commands + ",0,0]");
            // every answered write reached the peers' queues (a publish cut by the closing went out again)
            replica.peers.pullNow("fulcrum-2");
            Set<Long> published = replica.peers.received("fulcrum-2", Delta.class).stream()
                    .flatMap(d -> d.operations().stream()).map(Operation::originSeq).collect(Collectors.toCollection(TreeSet::new));
            assertThat(published).containsExactlyElementsOf(LongStream.rangeClosed(1, commands).boxed().toList());
            assertThat(replica.client.deadLetterCount()).isZero();
        }
    }
}
