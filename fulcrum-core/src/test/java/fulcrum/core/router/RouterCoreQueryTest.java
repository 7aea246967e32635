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
    void aQueryWhoseReplicaIsSilentIsOfferedToTheNextAndTheFirstAnswerWins() {
        router.send(query("q-1"));
        Forward first = router.drainOne();
        router.core.tick(TIMEOUT - 1);
        assertThat(router.drain()).as("not yet").isEmpty();
        router.core.tick(TIMEOUT);
        Forward second = router.drainOne();
        assertThat(second.replica()).isNotEqualTo(first.replica());
        assertThat(second.forwardId()).isNotEqualTo(first.forwardId());
        assertThat(second.message()).isSameAs(first.message());

        router.core.onReplicaReply(first.forwardId(), ok(first, clock(first.replica(), 1)), bytes("late but first"));
        router.core.onReplicaReply(second.forwardId(), ok(second, clock(second.replica(), 1)), bytes("second"));
        assertThat(router.drain()).isEmpty();
        assertThat(router.relays()).singleElement().satisfies(r -> assertThat(r.body()).isEqualTo(bytes("late but first")));
        assertThat(router.core.inFlight()).isZero();
    }

    @Test
    void aQueryWaitsForASilentReplicaWhenEveryOtherRefusedItAndItsAnswerIsRelayed() {
        router.send(query("q-1"));
        Forward silent = router.drainOne();
        router.core.tick(TIMEOUT);
        Forward second = router.drainOne();
        router.core.onReplicaReply(second.forwardId(), stale(second), bytes("stale 2"));
        Forward third = router.drainOne();
        router.core.onReplicaReply(third.forwardId(), stale(third), bytes("stale 3"));
        router.core.tick(100 * TIMEOUT);
        assertThat(router.drain()).as("no replica is left to ask").isEmpty();
        assertThat(router.relays()).as("the silent replica may still hold the state").isEmpty();
        assertThat(router.core.inFlight()).isEqualTo(1);

        router.core.onReplicaReply(silent.forwardId(), ok(silent, clock(silent.replica(), 1)), bytes("served at last"));
        router.drain();
        assertThat(router.relays()).singleElement().satisfies(r -> assertThat(r.body()).isEqualTo(bytes("served at last")));
    }

    @Test
    void aQueryEveryReplicaRefusedGetsTheLastRefusal() {
        router.send(query("q-1"));
        List<Forward> forwards = new ArrayList<>(List.of(router.drainOne()));
        for (int i = 1; i <= 2; i++) {
            router.core.tick(i * TIMEOUT);
            forwards.add(router.drainOne());
        }
        assertThat(forwards).extracting(Forward::replica).containsExactlyInAnyOrderElementsOf(REPLICAS);
        router.core.tick(10 * TIMEOUT);
        assertThat(router.drain()).isEmpty();
        for (Forward forward : List.of(forwards.get(2), forwards.get(0), forwards.get(1))) {
            assertThat(router.relays()).isEmpty();
            router.core.onReplicaReply(forward.forwardId(), stale(forward), bytes("stale from " + forward.replica()));
        }
        router.drain();
        assertThat(router.relays()).singleElement()
                .satisfies(r -> assertThat(r.body()).isEqualTo(bytes("stale from " + forwards.get(1).replica())));
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
