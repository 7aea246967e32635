package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.common.topology.Topology;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.core.store.CommandRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command and every error code a replica answers, over the wire: a worker in this JVM on a
 * real broker and a real RocksDB store, its two peers played by the test ({@link LoneReplica}).
 */
class WorkerCommandsTest {
    static final List<String> IDS = Topology.replicaIds(3);

    @TempDir
    Path dataDir;

    private LoneReplica replica;
    private TestClient client;

    @BeforeEach
    void start() throws Exception {
        replica = LoneReplica.start(dataDir);
        client = replica.client;
    }

    @AfterEach
    void stop() throws Exception {
        if (replica != null) {
            replica.close();
        }
    }

    @Test
    void everyCommandIsAnsweredWithTheReplicaAndThePlanetsClockAndEveryWriteIsAnEntry() throws Exception {
        Reply add = client.call(Command.addCity("Tatooine", "Mos_Espa", 5));
        assertThat(add.ok()).isTrue();
        assertThat(add.replica()).isEqualTo("fulcrum-1");
        assertThat(clock(add)).isEqualTo("[1,0,0]");

        Reply get = client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
        assertThat(get.ok()).isTrue();
        assertThat(get.rebels()).isEqualTo(5);
        assertThat(clock(get)).as("a query changes no clock").isEqualTo("[1,0,0]");

        assertThat(clock(client.call(Command.updateNumber("Tatooine", "Mos_Espa", 7)))).isEqualTo("[2,0,0]");
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(7);

        Reply rename = client.call(Command.updateName("Tatooine", "Mos_Espa", "Mos_Eisley"));
        assertThat(rename.ok()).isTrue();
        assertThat(clock(rename)).isEqualTo("[3,0,0]");
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Eisley")).rebels()).isEqualTo(7);
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);

        assertThat(clock(client.call(Command.addCity("Hoth", "Echo_Base", 0)))).as("clocks are per planet").isEqualTo("[1,0,0]");

        assertThat(client.call(Command.deleteCity("Tatooine", "Mos_Eisley")).ok()).isTrue();
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Eisley")).errorCode()).isEqualTo(ErrorCode.CITY_NOT_FOUND);

        List<Operation> own = replica.worker.store.operations("fulcrum-1", 1, 100);
        assertThat(own).extracting(Operation::originSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(own).extracting(Operation::kind)
                .containsExactly(OpKind.AddCity, OpKind.UpdateNumber, OpKind.UpdateName, OpKind.AddCity, OpKind.DeleteCity);
        assertThat(own).extracting(Operation::incarnation).containsOnly(replica.worker.stats().incarnation());
    }

    @Test
    void domainErrorsAreAnsweredWithTheirCodeAndLeaveTheStateUnchanged() throws Exception {
        assertThat(client.call(Command.addCity("Tatooine", "Mos_Espa", 5)).ok()).isTrue();
        assertThat(client.call(Command.addCity("Tatooine", "Anchorhead", 1)).ok()).isTrue();
        String dumpBefore = dump();

        String dupAdd = client.send(Command.addCity("Tatooine", "Mos_Espa", 9));
        String dupRename = client.send(Command.updateName("Tatooine", "Mos_Espa", "Anchorhead"));
        String selfRename = client.send(Command.updateName("Tatooine", "Mos_Espa", "Mos_Espa"));
        String noCity = client.send(Command.updateNumber("Tatooine", "Bestine", 3));
        String noPlanet = client.send(Command.deleteCity("Dagobah", "Swamp"));
        String noRename = client.send(Command.updateName("Tatooine", "Bestine", "Wayfar"));
        String noQuery = client.send(Command.getNumberRebelds("Hoth", "Echo_Base"));

        assertError(client.awaitReply(dupAdd), ErrorCode.CITY_ALREADY_EXISTS, "[2,0,0]");
        assertError(client.awaitReply(dupRename), ErrorCode.CITY_ALREADY_EXISTS, "[2,0,0]");
        assertError(client.awaitReply(selfRename), ErrorCode.CITY_ALREADY_EXISTS, "[2,0,0]");
        assertError(client.awaitReply(noCity), ErrorCode.CITY_NOT_FOUND, "[2,0,0]");
        assertError(client.awaitReply(noPlanet), ErrorCode.CITY_NOT_FOUND, "[0,0,0]");
        assertError(client.awaitReply(noRename), ErrorCode.CITY_NOT_FOUND, "[2,0,0]");
        assertError(client.awaitReply(noQuery), ErrorCode.CITY_NOT_FOUND, "[0,0,0]");

        assertThat(dump()).as("a rejected write changes nothing, not even a clock").isEqualTo(dumpBefore);
        assertThat(replica.worker.store.meta().applied("fulcrum-1")).as("and writes no entry").isEqualTo(2);
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(5);
        // a rejected write keeps its reply, so that a redelivery is answered alike; a query keeps nothing
        assertThat(replica.worker.store.reply(dupAdd).errorCode()).isEqualTo(ErrorCode.CITY_ALREADY_EXISTS);
        assertThat(replica.worker.store.commandRecords(dupAdd)).as("nothing applied, nothing recorded").isEmpty();
        assertThat(replica.worker.store.reply(noQuery)).isNull();
    }

    @Test
    void aReSentCommandIdIsAnsweredFromItsRecordAndAppliedOnce() throws Exception {
        Reply first = client.awaitReply(client.send("cmd-1", Command.addCity("Tatooine", "Mos_Espa", 5)));
        // the same id again, even with another body: the first reply comes back and nothing is applied again
        client.send("cmd-1", Command.updateNumber("Tatooine", "Mos_Espa", 99));
        client.send("cmd-1", Command.addCity("Tatooine", "Mos_Espa", 5));
        Awaitility.await("three replies to cmd-1").atMost(TestClient.WAIT).until(() -> client.replyCount("cmd-1") == 3);
        assertThat(client.awaitReply("cmd-1")).isEqualTo(first);
        assertThat(replica.worker.store.meta().applied("fulcrum-1")).isEqualTo(1);
        assertThat(replica.worker.store.commandRecords("cmd-1"))
                .containsExactly(new CommandRecord("cmd-1", "fulcrum-1", 1, "Tatooine", OpKind.AddCity, first.clock()));
        assertThat(replica.worker.stats().answeredFromRecord()).isEqualTo(2);
        assertThat(client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa")).rebels()).isEqualTo(5);
    }

    @Test
    void aBurstOfCommandsIsAnsweredOnceEachIncludingADuplicateInFlight() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(client.send(Command.addCity("Coruscant", "Level_" + i, i)));
        }
        client.send(ids.get(0), Command.addCity("Coruscant", "Level_0", 0));
        for (String id : ids) {
            assertThat(client.awaitReply(id).ok()).as(id).isTrue();
        }
        Awaitility.await("both replies to the duplicate").atMost(TestClient.WAIT).until(() -> client.replyCount(ids.get(0)) == 2);
        assertThat(ids.subList(1, ids.size())).allMatch(id -> client.replyCount(id) == 1);
        assertThat(replica.worker.store.meta().applied("fulcrum-1")).isEqualTo(300);
        assertThat(clock(client.call(Command.getNumberRebelds("Coruscant", "Level_299")))).isEqualTo("[300,0,0]");
    }

    @Test
    void aRestartKeepsTheDataAndTheSequenceGoesOn() throws Exception {
        assertThat(client.call(Command.addCity("Tatooine", "Mos_Espa", 5)).ok()).isTrue();
        assertThat(client.call(Command.updateNumber("Tatooine", "Mos_Espa", 6)).ok()).isTrue();
        long incarnation = replica.worker.stats().incarnation();
        replica.restart();
        Reply get = client.call(Command.getNumberRebelds("Tatooine", "Mos_Espa"));
        assertThat(get.rebels()).isEqualTo(6);
        assertThat(clock(get)).isEqualTo("[2,0,0]");
        assertThat(clock(client.call(Command.addCity("Tatooine", "Anchorhead", 1)))).isEqualTo("[3,0,0]");
        assertThat(replica.worker.store.operations("fulcrum-1", 1, 10)).extracting(Operation::originSeq).containsExactly(1L, 2L, 3L);
        assertThat(replica.worker.stats().incarnation()).as("a restart is the same life of the store").isEqualTo(incarnation);
    }

    /**
     * A session clock the replica does not hold is refused ({@code STALE}) rather than served from an
     * older state; a write's refusal is its outcome for good, an entry of the replica's stream (so
     * its peers learn it too), and a merge that brings the missing write does not change it.
     */
    @Test
    void aSessionClockThisReplicaDoesNotHoldIsAnsweredStaleAndAWriteStaysRefusedForGood() throws Exception {
        assertThat(clock(client.call(Command.addCity("Bespin", "Cloud_City", 1)))).isEqualTo("[1,0,0]");
        VectorClock needs = VectorClock.of(Map.of("fulcrum-1", 1L, "fulcrum-2", 1L));

        Reply read = client.awaitReply(client.send("read-1", Command.getNumberRebelds("Bespin", "Cloud_City"), needs));
        assertThat(read.ok()).isFalse();
        assertThat(read.errorCode()).isEqualTo(ErrorCode.STALE);
        assertThat(read.replica()).isEqualTo("fulcrum-1");
        assertThat(clock(read)).isEqualTo("[1,0,0]");
        assertThat(read.errorMessage()).isEqualTo("replica fulcrum-1 has [1,0,0], the session needs [1,1,0]");

        Reply write = client.awaitReply(client.send("write-1", Command.updateNumber("Bespin", "Cloud_City", 50), needs));
        assertThat(write.errorCode()).isEqualTo(ErrorCode.STALE);
        assertThat(write.errorMessage()).endsWith("; this command id is refused here for good");
        Delta refusal = replica.peers.await("fulcrum-2", Delta.class,
                d -> d.operations().stream().anyMatch(op -> op.commandId().equals("write-1")));
        assertThat(refusal.operations()).filteredOn(op -> op.commandId().equals("write-1"))
                .singleElement().satisfies(op -> {
                    assertThat(op.kind()).isEqualTo(OpKind.Refusal);
                    assertThat(op.originSeq()).isEqualTo(2);
                    assertThat(CanonicalDump.clock(IDS, op.clock())).as("a refusal counts no write").isEqualTo("[1,0,0]");
                });

        // fulcrum-2's write on Bespin arrives; the refused id stays refused, a new id is served
        PeerStream f2 = new PeerStream("fulcrum-2", 22);
        replica.wire.toQueue("fulcrum-1", PeerStream.delta(f2.addCity("Bespin", "Tibanna", 2)));
        replica.wire.awaitStatus("fulcrum-1", s -> s.applied().getOrDefault("fulcrum-2", 0L) == 1);
        client.forget("write-1");
        Reply again = client.awaitReply(client.send("write-1", Command.updateNumber("Bespin", "Cloud_City", 50), needs));
        assertThat(again).isEqualTo(write);
        Reply fresh = client.awaitReply(client.send("write-2", Command.updateNumber("Bespin", "Cloud_City", 50), needs));
        assertThat(fresh.ok()).as(String.valueOf(fresh)).isTrue();
        assertThat(clock(fresh)).isEqualTo("[2,1,0]");
        Reply served = client.awaitReply(client.send("read-2", Command.getNumberRebelds("Bespin", "Cloud_City"), needs));
        assertThat(served.rebels()).isEqualTo(50);
        assertThat(client.awaitReply(client.send("read-3", Command.getNumberRebelds("Bespin", "Cloud_City"),
                VectorClock.of(Map.of()))).ok()).as("an empty session clock is served").isTrue();
        assertThat(replica.worker.store.commandRecords("write-1")).extracting(CommandRecord::kind).containsExactly(OpKind.Refusal);
    }

    private String dump() {
        return CanonicalDump.of(IDS, replica.worker.store.planets(), replica.worker.store.meta().appliedSeq());
    }

    static String clock(Reply reply) {
        return CanonicalDump.clock(IDS, reply.clock());
    }

    private static void assertError(Reply reply, ErrorCode code, String clock) {
        assertThat(reply.ok()).isFalse();
        assertThat(reply.errorCode()).isEqualTo(code);
        assertThat(reply.errorMessage()).isNotBlank();
        assertThat(reply.replica()).isEqualTo("fulcrum-1");
        assertThat(clock(reply)).isEqualTo(clock);
    }
}
