package fulcrum.core.router;

import static fulcrum.core.router.CoreDriver.REPLICAS;
import static fulcrum.core.router.CoreDriver.bytes;
import static fulcrum.core.router.CoreDriver.clock;
import static fulcrum.core.router.CoreDriver.message;
import static fulcrum.core.router.CoreDriver.ok;
import static fulcrum.core.router.CoreDriver.query;
import static fulcrum.core.router.CoreDriver.stale;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouterReady.Forward;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Queries: they follow what the router learnt, explore now and then, and move on after a timeout. */
class RouterCoreQueryTest {
    private static final long TIMEOUT = 1000;
    private final CoreDriver router = new CoreDriver(new RouterLimits(1000, 64, TIMEOUT));

    @Test
    void aReplyTeachesTheRouterWhereTheSessionsStateIsAndQueriesGoThere() {
        VectorClock needed = clock("fulcrum-2", 4);
        router.teach("fulcrum-3", needed);
        assertThat(router.core.knowledge().get("fulcrum-3").get("Hoth")).isEqualTo(needed);

        int first = 0;
        int ids = 200;
        for (int i = 0; i < ids; i++) {
            router.send(message("q-" + i, Command.getNumberRebelds("Hoth", "Echo"), needed, "fulcrum-2"));
            if (router.drainOne().replica().equals("fulcrum-3")) {
                first++;
            }
        }
        // All but the explored ones (one in eight) go first to the replica known to hold the state.
        assertThat(first).isBetween(ids * 3 / 4, ids - 1);
    }

    @Test
    void oneQueryInEightExploresAnotherReplicaFirstAndTheDrawDependsOnTheMessageIdAlone() {
        VectorClock needed = clock("fulcrum-2", 4);
        router.teach("fulcrum-2", needed);
        CoreDriver sameKnowledge = new CoreDriver(new RouterLimits(1000, 64, TIMEOUT));
        sameKnowledge.teach("fulcrum-2", needed);

        List<String> explored = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ClientMessage q = message("q-" + i, Command.getNumberRebelds("Hoth", "Echo"), needed, "fulcrum-2");
            router.send(q);
            sameKnowledge.send(q);
            Forward here = router.drainOne();
            assertThat(sameKnowledge.drainOne().replica()).as("same id, same knowledge, same order").isEqualTo(here.replica());
            if (!here.replica().equals("fulcrum-2")) {
                explored.add(here.replica());
            }
        }
        assertThat(explored.size()).isBetween(400 / 16, 400 / 4);
        assertThat(explored).contains("fulcrum-1", "fulcrum-3");
    }

    @Test
    void aQueryWhoseReplicaIsSilentIsOfferedToTheNextAndALateReplyIsIgnored() {
        router.send(query("q-1"));
        Forward first = router.drainOne();
        router.core.tick(TIMEOUT - 1);
        assertThat(router.drain()).as("not yet").isEmpty();
        router.core.tick(TIMEOUT);
        Forward second = router.drainOne();
        assertThat(second.replica()).isNotEqualTo(first.replica());
        assertThat(second.forwardId()).isNotEqualTo(first.forwardId());
        assertThat(second.message()).isSameAs(first.message());

        router.core.onReplicaReply(first.forwardId(), ok(first, clock(first.replica(), 1)), bytes("late"));
        assertThat(router.drain()).isEmpty();
        assertThat(router.relays()).as("the late reply of the first replica is ignored").isEmpty();

        router.core.onReplicaReply(second.forwardId(), ok(second, clock(second.replica(), 1)), bytes("answer"));
        router.drain();
        assertThat(router.relays()).singleElement().satisfies(r -> assertThat(r.body()).isEqualTo(bytes("answer")));
    }

    @Test
    void aQueryNoReplicaAnsweredIsAnsweredUnavailable() {
        router.send(query("q-1"));
        List<String> asked = new ArrayList<>(List.of(router.drainOne().replica()));
        for (int i = 1; i <= 2; i++) {
            router.core.tick(i * TIMEOUT);
            asked.add(router.drainOne().replica());
        }
        assertThat(asked).containsExactlyInAnyOrderElementsOf(REPLICAS);
        router.core.tick(3 * TIMEOUT);
        assertThat(router.drain()).isEmpty();
        assertThat(router.relays()).singleElement().satisfies(r -> {
            assertThat(r.reply().errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(r.reply().errorMessage()).contains("no replica answered");
            assertThat(r.type()).isEqualTo("GetNumberRebelds");
        });
        assertThat(router.core.inFlight()).isZero();
    }

    @Test
    void aStaleQueryMovesOnAndItsTimeoutStartsAgainAtTheNextReplica() {
        router.send(query("q-1"));
        Forward first = router.drainOne();
        router.core.tick(TIMEOUT / 2);
        router.core.onReplicaReply(first.forwardId(), stale(first), bytes("stale"));
        Forward second = router.drainOne();
        router.core.tick(TIMEOUT);
        assertThat(router.drain()).as("the second replica has its own full timeout").isEmpty();
        router.core.tick(TIMEOUT / 2 + TIMEOUT);
        assertThat(router.drainOne().replica()).isNotIn(first.replica(), second.replica());
    }

    @Test
    void aTickHandlesAtMostABatchOfTimeoutsAndTheRestOnTheNextTick() {
        CoreDriver small = new CoreDriver(new RouterLimits(1000, 2, TIMEOUT));
        for (int i = 0; i < 2; i++) {
            small.send(query("a-" + i));
        }
        small.drain();
        small.send(query("b"));
        small.drain();
        small.core.tick(TIMEOUT);
        assertThat(small.drain()).hasSize(2);
        small.core.tick(TIMEOUT);
        assertThat(small.drain()).hasSize(1);
    }
}
