package fulcrum.worker;

import static fulcrum.worker.WorkerCommandsTest.clock;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.protocol.JoinOffer;
import fulcrum.core.protocol.JoinRequest;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.Phase;
import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker on a new store joins before it serves: it asks its peers, and until every peer has
 * answered it does not consume its command queue, so commands wait there (nothing is served from a
 * partial state). A three-replica cluster whose peers all answer that they hold nothing serves at once.
 */
class WorkerJoinTest {
    @TempDir
    Path dataDir;

    @Test
    void aNewReplicaLeavesItsCommandsInTheQueueUntilEveryPeerAnsweredItsJoin() throws Exception {
        String uri = TestBroker.freshVirtualHost("worker-join");
        try (PeerWire wire = new PeerWire(uri); TestClient client = new TestClient(uri, "fulcrum-1");
             InProcessWorker worker = InProcessWorker.start(uri, dataDir, "fulcrum-1")) {
            StandInPeers peers = new StandInPeers(wire, "fulcrum-2", "fulcrum-3");
            JoinRequest request = peers.await("fulcrum-2", JoinRequest.class, r -> r.replica().equals("fulcrum-1"));
            assertThat(request.incarnation()).isEqualTo(worker.stats().incarnation());
            String commandId = client.send(Command.addCity("Tatooine", "Mos_Espa", 5));

            ReplicaStatus asking = wire.awaitStatus("fulcrum-1", s -> s.phase() == Phase.JOINING);
            assertThat(asking.join().stage()).isEqualTo("asking");
            assertThat(client.commandConsumers()).as("not consuming while joining").isZero();
            assertThat(client.commandsWaiting()).as("the command waits in the queue").isEqualTo(1);

            // one peer of two answered: still asking (the other may hold the newest of this replica's past)
            wire.toQueue("fulcrum-1", new JoinOffer("fulcrum-2", "fulcrum-1", request.requestId(), Phase.SERVING, Map.of(), Map.of(), 0));
            wire.toQueue("fulcrum-1", PeerStream.delta(new PeerStream("fulcrum-2", 22).addCity("Hoth", "Echo_Base", 1)));
            wire.awaitStatus("fulcrum-1", s -> s.phase() == Phase.JOINING && s.applied().isEmpty()
                    && worker.store.lastOperationSeq("fulcrum-2") == 1);
            assertThat(worker.stats().phase()).isEqualTo(Phase.JOINING);
            assertThat(client.commandConsumers()).isZero();
            assertThat(client.replyIfAny(commandId)).isEmpty();

            JoinRequest toThree = peers.await("fulcrum-3", JoinRequest.class, r -> r.requestId().equals(request.requestId()));
            wire.toQueue("fulcrum-1", new JoinOffer("fulcrum-3", "fulcrum-1", toThree.requestId(), Phase.JOINING, Map.of(), Map.of(), 0));
            Reply reply = client.awaitReply(commandId);
            assertThat(reply.ok()).isTrue();
            assertThat(clock(reply)).isEqualTo("[1,0,0]");
            assertThat(worker.stats().phase()).isEqualTo(Phase.SERVING);
            assertThat(clock(client.call(Command.getNumberRebelds("Hoth", "Echo_Base"))))
                    .as("the entry held while joining is applied once it serves").isEqualTo("[0,1,0]");
        }
    }
}
