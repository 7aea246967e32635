package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import fulcrum.testkit.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker in this JVM against a real broker (fresh vhost) and real RocksDB. */
class WorkerCommandsTest {
    @TempDir
    Path dataDir;

    private String uri;
    private InProcessWorker worker;
    private TestClient client;

    @BeforeEach
    void start() throws Exception {
        uri = TestBroker.freshVirtualHost("worker");
        worker = new InProcessWorker(uri, dataDir);
        client = new TestClient(uri, "fulcrum-1");
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void everyCommandsHappyPath() throws Exception {
        Reply add = client.call(Command.addCity("Tatooine", "Mos_Espa", 5));
        assertThat(add.ok()).isTrue();
        assertThat(add.replica()).isEqualTo("fulcrum-1");
        assertThat(add.clock().toString()).isEqualTo("[1,0,0]");

        Reply get = client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
        assertThat(get.ok()).isTrue();
        assertThat(get.rebels()).isEqualTo(5);
        assertThat(get.clock().toString()).isEqualTo("[1,0,0]");

        assertThat(client.call(Command.updateNumber("Tatooine", "Mos_Espa", 7)).clock().toString()).isEqualTo("[2,0,0]");
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(7);

        Reply rename = client.call(Command.updateName("Tatooine", "Mos_Espa", "Mos_Eisley"));
        assertThat(rename.ok()).isTrue();
        assertThat(rename.clock().toString()).isEqualTo("[3,0,0]");
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Eisley")).rebels()).isEqualTo(7);
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);

        Reply addDefault = client.call(Command.addCity("Hoth", "Echo_Base", 0));
        assertThat(addDefault.clock().toString()).isEqualTo("[1,0,0]"); // clocks are per planet

        assertThat(client.call(Command.deleteCity("Tatooine", "Mos_Eisley")).ok()).isTrue();
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Eisley")).errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);

        List<Operation> ops = worker.store.listOperations();
        assertThat(ops).extracting(Operation::originSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(ops).extracting(o -> o.kind().name())
                .containsExactly("AddCity", "UpdateNumber", "UpdateName", "AddCity", "DeleteCity");
    }

    @Test
    void domainErrorsAnswerAndLeaveTheStoreUnchanged() throws Exception {
        assertThat(client.call(Command.addCity("Tatooine", "Mos_Espa", 5)).ok()).isTrue();
        assertThat(client.call(Command.addCity("Tatooine", "Anchorhead", 1)).ok()).isTrue();
        long opsBefore = worker.store.countOperations();
        Map<String, Planet> planetsBefore = reopenedPlanetsView();

        String dupAdd = client.send(Command.addCity("Tatooine", "Mos_Espa", 9));
        String dupRename = client.send(Command.updateName("Tatooine", "Mos_Espa", "Anchorhead"));
        String noCity = client.send(Command.updateNumber("Tatooine", "Bestine", 3));
        String noPlanet = client.send(Command.deleteCity("Dagobah", "Swamp"));
        String noRename = client.send(Command.updateName("Tatooine", "Bestine", "Wayfar"));
        String noQuery = client.send(Command.getNumberRebelds("Hoth", "Echo_Base"));

        assertError(client.awaitReply(dupAdd), ErrorCode.CITY_ALREADY_EXISTS, "[2,0,0]");
        assertError(client.awaitReply(dupRename), ErrorCode.CITY_ALREADY_EXISTS, "[2,0,0]");
        assertError(client.awaitReply(noCity), ErrorCode.CITY_NOT_FOUND, "[2,0,0]");
        assertError(client.awaitReply(noPlanet), ErrorCode.CITY_NOT_FOUND, "[0,0,0]");
        assertError(client.awaitReply(noRename), ErrorCode.CITY_NOT_FOUND, "[2,0,0]");
        assertError(client.awaitReply(noQuery), ErrorCode.CITY_NOT_FOUND, "[0,0,0]");

        assertThat(worker.store.countOperations()).isEqualTo(opsBefore);
        assertThat(reopenedPlanetsView()).isEqualTo(planetsBefore);
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(5);
        // rejected writes keep their reply for redelivery; queries keep nothing
        assertThat(worker.store.findReply(dupAdd)).hasValueSatisfying(r -> assertThat(r.errorCode()).isEqualTo(ErrorCode.CITY_ALREADY_EXISTS));
        assertThat(worker.store.findReply(noQuery)).isEmpty();
    }

    @Test
    void aRepeatedCommandIdIsAnsweredFromTheDedupRecordAndAppliedOnce() throws Exception {
        Reply first = client.awaitReply(client.send("cmd-1", Command.addCity("Tatooine", "Mos_Espa", 5)));
        // same id again, even with another body: the stored reply comes back, nothing is re-applied
        client.send("cmd-1", Command.updateNumber("Tatooine", "Mos_Espa", 99));
        client.send("cmd-1", Command.addCity("Tatooine", "Mos_Espa", 5));
        Awaitility.await().atMost(TestClient.WAIT).until(() -> client.replyCount("cmd-1") == 3);
        assertThat(client.awaitReply("cmd-1")).isEqualTo(first);
        assertThat(worker.store.countOperations()).isEqualTo(1);
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(5);
    }

    @Test
    void aBurstOfCommandsIsBatchedAndEveryOneIsAnsweredOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(client.send(Command.addCity("Coruscant", "Level_" + i, i)));
        }
        ids.add(client.send(ids.get(0), Command.addCity("Coruscant", "Level_0", 0))); // a duplicate in flight
        for (String id : ids) {
            assertThat(client.awaitReply(id).ok()).as(id).isTrue();
        }
        assertThat(worker.store.countOperations()).isEqualTo(300);
        assertThat(client.call(Command.getNumberRebelds("Coruscant", "Level_299")).clock().toString()).isEqualTo("[300,0,0]");
    }

    @Test
    void restartKeepsTheData() throws Exception {
        assertThat(client.call(Command.addCity("Tatooine", "Mos_Espa", 5)).ok()).isTrue();
        assertThat(client.call(Command.updateNumber("Tatooine", "Mos_Espa", 6)).ok()).isTrue();
        worker.close();
        worker = null;
        worker = new InProcessWorker(uri, dataDir);
        Reply get = client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
        assertThat(get.rebels()).isEqualTo(6);
        assertThat(get.clock().toString()).isEqualTo("[2,0,0]");
        assertThat(client.call(Command.addCity("Tatooine", "Anchorhead", 1)).clock().toString()).isEqualTo("[3,0,0]");
        assertThat(worker.store.listOperations()).extracting(Operation::originSeq).containsExactly(1L, 2L, 3L);
    }

    private Map<String, Planet> reopenedPlanetsView() {
        return Map.copyOf(worker.worker.replica().planets());
    }

    private static void assertError(Reply reply, ErrorCode code, String clock) {
        assertThat(reply.ok()).isFalse();
        assertThat(reply.errorCode()).isEqualTo(code);
        assertThat(reply.errorMessage()).isNotBlank();
        assertThat(reply.replica()).isEqualTo("fulcrum-1");
        assertThat(reply.clock().toString()).isEqualTo(clock);
    }
}
