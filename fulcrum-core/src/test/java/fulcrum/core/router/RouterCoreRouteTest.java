package fulcrum.core.router;

import static fulcrum.core.router.CoreDriver.REPLICAS;
import static fulcrum.core.router.CoreDriver.bytes;
import static fulcrum.core.router.CoreDriver.clock;
import static fulcrum.core.router.CoreDriver.query;
import static fulcrum.core.router.CoreDriver.write;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouterReady.Forward;
import fulcrum.core.session.WriteRouting;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Route requests (the direct write path): the router's answer is the write's fixed order, and nothing else. */
class RouterCoreRouteTest {
    private final CoreDriver router = new CoreDriver();

    @Test
    void aRouteIsTheOrderTheRouterWouldWalkItself() {
        ClientMessage message = CoreDriver.message("w-1", Command.addCity("Hoth", "Echo", 1), clock("fulcrum-3", 2), "fulcrum-3");
        RouteAnswer answer = router.core.onRouteRequest(message);
        assertThat(answer.ok()).isTrue();
        assertThat(answer.order()).isEqualTo(new WriteRouting(REPLICAS).order("w-1", "fulcrum-3"))
                .startsWith("fulcrum-3").containsExactlyInAnyOrderElementsOf(REPLICAS);

        router.send(message);
        assertThat(router.drainOne().replica()).as("the legacy path's first forward").isEqualTo(answer.order().get(0));
    }

    @Test
    void aRouteHandsOutTheRouteTableItWasDrawnFrom() {
        RouteAnswer answer = router.core.onRouteRequest(write("w-1"));
        assertThat(answer.replicas()).as("the router's configured order").isEqualTo(REPLICAS);
        assertThat(answer.validForMillis()).isEqualTo(RouterLimits.DEFAULT_ROUTE_TABLE_VALIDITY_MILLIS);
        assertThat(answer.hasTable()).isTrue();
        assertThat(new WriteRouting(answer.replicas()).order("w-1", null)).isEqualTo(answer.order());

        RouteAnswer shorter = new CoreDriver(new RouterLimits(1000, 64, 1000, 250)).core.onRouteRequest(write("w-1"));
        assertThat(shorter.validForMillis()).isEqualTo(250);
    }

    @Test
    void noRouteTableWhenItsValidityIsZeroNorWhenWritesFollowAnotherOrder() {
        RouteAnswer none = new CoreDriver(new RouterLimits(1000, 64, 1000, 0)).core.onRouteRequest(write("w-1"));
        assertThat(none.ok()).isTrue();
        assertThat(none.replicas()).isEmpty();
        assertThat(none.hasTable()).isFalse();

        RouterCore injected = new RouterCore(REPLICAS, new RouterLimits(1000, 64, 1000),
                (id, envelope, knowledge) -> java.util.List.of("fulcrum-3", "fulcrum-2", "fulcrum-1"));
        RouteAnswer ownOrder = injected.onRouteRequest(write("w-1"));
        assertThat(ownOrder.order()).containsExactly("fulcrum-3", "fulcrum-2", "fulcrum-1");
        assertThat(ownOrder.hasTable()).as("a client could not compute a test's order").isFalse();
        assertThat(router.core.onRouteRequest(query("q-1")).replicas()).as("a refusal has no table").isEmpty();
    }

    @Test
    void whatTheRouterLearntNeverChangesARouteNorDoesAnotherRouterCopy() {
        RouteAnswer before = router.core.onRouteRequest(write("w-1"));
        router.teach(before.order().get(2), clock(before.order().get(2), 9));
        assertThat(router.core.onRouteRequest(write("w-1")).order()).isEqualTo(before.order());
        assertThat(new CoreDriver().core.onRouteRequest(write("w-1")).order()).isEqualTo(before.order());
    }

    @Test
    void aRouteRequestKeepsNothingAndNeedsNoReady() {
        router.core.onRouteRequest(write("w-1"));
        assertThat(router.core.inFlight()).isZero();
        assertThat(router.core.hasReady()).isFalse();
        assertThat(router.core.counters().routeAnswersByOutcome()).containsEntry(RouterCounters.OK, 1L);
    }

    @Test
    void queriesAndBadMessagesGetNoRoute() {
        RouteAnswer forQuery = router.core.onRouteRequest(query("q-1"));
        assertThat(forQuery.ok()).isFalse();
        assertThat(forQuery.errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
        assertThat(forQuery.errorMessage()).contains("GetNumberRebelds").contains("query queue");

        ClientMessage noId = new ClientMessage(null, "client", null, "AddCity", "mos-eisley.routes", Map.of(),
                bytes("{}"), new ClientMessage.Decoded(Command.addCity("Hoth", "Echo", 1), null, null));
        assertThat(router.core.onRouteRequest(noId).errorMessage()).contains("message_id");

        ClientMessage bad = new ClientMessage("b-1", "client", null, null, "mos-eisley.routes", Map.of(), bytes("{"),
                new ClientMessage.Undecodable(ErrorCode.UNKNOWN_COMMAND, "no command Fly", CommandKind.AddCity));
        RouteAnswer refused = router.core.onRouteRequest(bad);
        assertThat(refused.errorCode()).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
        assertThat(refused.order()).isEmpty();
        assertThat(router.core.counters().routeAnswersByOutcome())
                .containsEntry("BAD_MESSAGE", 2L).containsEntry("UNKNOWN_COMMAND", 1L);
        assertThat(router.core.hasReady()).as("no dead letter: a route request is transient").isFalse();
    }

    @Test
    void readiesMayBeOutstandingTogetherAndAReturnOfTheOlderOneIsStillAnswered() {
        InboundRef first = router.send(write("w-1"));
        RouterReady older = router.core.ready();
        InboundRef second = router.send(write("w-2"));
        RouterReady newer = router.core.ready();
        assertThat(router.core.outstandingReadies()).isEqualTo(2);
        Forward returned = older.forwards().get(0);
        router.core.onForwardReturned(returned.forwardId());
        router.core.advance(older);
        router.core.advance(newer);
        RouterReady afterConfirms = router.core.ready();
        assertThat(afterConfirms.relays()).singleElement()
                .satisfies(r -> assertThat(r.reply().errorCode()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(afterConfirms.deadLetters()).hasSize(1);
        assertThat(afterConfirms.acks()).as("w-2's forward is confirmed; w-1 waits for its dead letter").containsExactly(second);
        router.core.advance(afterConfirms);
        assertThat(router.core.ready().acks()).containsExactly(first);
    }

    @Test
    void readiesAreAdvancedInTheOrderTheyWereTaken() {
        router.send(write("w-1"));
        RouterReady older = router.core.ready();
        router.send(write("w-2"));
        RouterReady newer = router.core.ready();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> router.core.advance(newer))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("oldest");
        router.core.advance(older);
        router.core.advance(newer);
        assertThat(router.core.outstandingReadies()).isZero();
    }
}
