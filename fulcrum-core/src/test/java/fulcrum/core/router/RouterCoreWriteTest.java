package fulcrum.core.router;

import static fulcrum.core.router.CoreDriver.REPLICAS;
import static fulcrum.core.router.CoreDriver.bytes;
import static fulcrum.core.router.CoreDriver.clock;
import static fulcrum.core.router.CoreDriver.ok;
import static fulcrum.core.router.CoreDriver.stale;
import static fulcrum.core.router.CoreDriver.write;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.router.RouterReady.Forward;
import fulcrum.core.session.WriteRouting;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Writes: one fixed order per message, and a move to the next replica only after STALE. */
class RouterCoreWriteTest {
    private final CoreDriver router = new CoreDriver();

    @Test
    void aWriteGoesFirstToTheFirstReplicaOfItsFixedOrder() {
        router.send(CoreDriver.message("w-1", Command.addCity("Hoth", "Echo", 1), clock("fulcrum-3", 2), "fulcrum-3"));
        Forward forward = router.drainOne();
        assertThat(forward.replica()).isEqualTo("fulcrum-3");
        assertThat(forward.message().messageId()).isEqualTo("w-1");

        router.send(write("w-2"));
        assertThat(router.drainOne().replica()).isEqualTo(new WriteRouting(REPLICAS).order("w-2", null).get(0));
    }

    @Test
    void staleAnswersWalkTheWholeFixedOrderThenTheLastStaleIsRelayed() {
        List<String> expected = new WriteRouting(REPLICAS).order("w-1", null);
        router.send(write("w-1"));
        List<String> asked = new ArrayList<>();
        Forward forward = router.drainOne();
        for (int i = 0; i < 3; i++) {
            asked.add(forward.replica());
            assertThat(router.relays()).as("nothing relayed while a replica is left").isEmpty();
            router.core.onReplicaReply(forward.forwardId(), stale(forward), bytes("stale from " + forward.replica()));
            List<Forward> next = router.drain();
            forward = next.isEmpty() ? null : next.get(0);
        }
        assertThat(asked).isEqualTo(expected);
        assertThat(forward).isNull();
        assertThat(router.relays()).singleElement()
                .satisfies(r -> assertThat(new String(r.body())).isEqualTo("stale from " + expected.get(2)));
        assertThat(router.core.inFlight()).isZero();
    }

    @Test
    void whatTheRouterLearntNeverChangesAWritesOrderNorDoesARestart() {
        List<String> expected = new WriteRouting(REPLICAS).order("w-1", null);
        // Teach the router that the last replica of the order holds a lot on Hoth.
        router.teach(expected.get(2), clock(expected.get(2), 9));
        assertThat(router.core.knowledge()).containsKey(expected.get(2));

        router.send(write("w-1"));
        Forward first = router.drainOne();
        router.core.onReplicaReply(first.forwardId(), stale(first), bytes("stale"));
        Forward second = router.drainOne();
        CoreDriver restarted = new CoreDriver();
        restarted.send(write("w-1"));

        assertThat(List.of(first.replica(), second.replica())).isEqualTo(expected.subList(0, 2));
        assertThat(restarted.drainOne().replica()).isEqualTo(expected.get(0));
    }

    @Test
    void aWriteIsNeverMovedOnWithoutStaleHoweverLongItsReplicaIsSilent() {
        router.send(write("w-1"));
        Forward forward = router.drainOne();
        router.core.tick(1_000_000);
        router.core.tick(1_000_000_000);
        assertThat(router.drain()).as("no second forward").isEmpty();
        assertThat(router.relays()).isEmpty();
        assertThat(router.core.inFlight()).isEqualTo(1);

        router.core.onReplicaReply(forward.forwardId(), ok(forward, clock(forward.replica(), 1)), bytes("done"));
        router.drain();
        assertThat(router.relays()).singleElement().satisfies(r -> assertThat(new String(r.body())).isEqualTo("done"));
    }

    @Test
    void anAnswerOtherThanStaleEndsTheWalkAndIsRelayedByteForByte() {
        router.send(write("w-1"));
        Forward forward = router.drainOne();
        byte[] body = bytes("{\"ok\":false,\"error\":{\"code\":\"CITY_NOT_FOUND\"}}");
        router.core.onReplicaReply(forward.forwardId(), fulcrum.core.replica.Reply.failure(
                fulcrum.core.domain.CommandKind.UpdateNumber, "Hoth", "Echo", forward.replica(), clock(forward.replica(), 0),
                fulcrum.core.domain.ErrorCode.CITY_NOT_FOUND, "no city"), body);
        assertThat(router.drain()).isEmpty();
        RouterReady.Relay relay = router.relays().get(0);
        assertThat(relay.body()).isEqualTo(body);
        assertThat(relay.correlationId()).isEqualTo("corr-w-1");
        assertThat(relay.replyTo()).isEqualTo(CoreDriver.CLIENT_QUEUE);
        assertThat(relay.type()).isEqualTo("UpdateNumber");
    }

    @Test
    void anUnreadableReplyIsRelayedAsItCame() {
        router.send(write("w-1"));
        Forward forward = router.drainOne();
        router.core.onUnreadableReply(forward.forwardId(), bytes("garbage"));
        router.drain();
        assertThat(router.relays()).singleElement().satisfies(r -> assertThat(r.body()).isEqualTo(bytes("garbage")));
        assertThat(router.core.inFlight()).isZero();
    }
}
