package fulcrum.core.router;

import static fulcrum.core.router.CoreDriver.bytes;
import static fulcrum.core.router.CoreDriver.clock;
import static fulcrum.core.router.CoreDriver.ok;
import static fulcrum.core.router.CoreDriver.query;
import static fulcrum.core.router.CoreDriver.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouterReady.Forward;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nothing ends in silence, acks wait for confirms, every table is bounded, misuse is refused. */
class RouterCoreAnswersTest {
    private final CoreDriver router = new CoreDriver();

    @Test
    void theInboundAckComesOnlyInTheReadyAfterTheForwardsConfirm() {
        InboundRef ref = router.send(write("w-1"));
        RouterReady forwarding = router.core.ready();
        assertThat(forwarding.forwards()).hasSize(1);
        assertThat(forwarding.acks()).isEmpty();
        router.core.advance(forwarding);
        RouterReady acking = router.core.ready();
        assertThat(acking.acks()).containsExactly(ref);
        assertThat(acking.forwards()).isEmpty();
        router.core.advance(acking);
        assertThat(router.core.hasReady()).isFalse();
    }

    @Test
    void badInputIsAnsweredDeadLetteredAndAckedAfterTheDeadLetter() {
        ClientMessage bad = new ClientMessage("bad-1", CoreDriver.CLIENT_QUEUE, null, "AddCity", "mos-eisley.commands",
                Map.of("x-mine", "kept"), bytes("{not json"), new ClientMessage.Undecodable(ErrorCode.BAD_MESSAGE, "not JSON", null));
        InboundRef ref = router.send(bad);
        RouterReady rejecting = router.step();
        assertThat(rejecting.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(ErrorCode.BAD_MESSAGE);
            assertThat(d.reason()).isEqualTo("not JSON");
            assertThat(d.message().headers()).containsEntry("x-mine", "kept");
        });
        assertThat(rejecting.relays()).singleElement().satisfies(r -> {
            assertThat(r.correlationId()).as("the message id when there is no correlation id").isEqualTo("bad-1");
            assertThat(r.reply().errorCode()).isEqualTo(ErrorCode.BAD_MESSAGE);
        });
        assertThat(rejecting.acks()).isEmpty();
        assertThat(router.step().acks()).containsExactly(ref);
    }

    @Test
    void aMessageWithoutIdIsRejectedAndWithoutReplyToOnlyDeadLettered() {
        ClientMessage noId = new ClientMessage(null, null, null, "UpdateNumber", "mos-eisley.commands", null,
                bytes("{}"), write("x").content());
        router.send(noId);
        router.drain();
        assertThat(router.deadLetters()).singleElement().satisfies(d -> assertThat(d.reason()).contains("message_id"));
        assertThat(router.relays()).isEmpty();
        assertThat(router.acks()).hasSize(1);
    }

    @Test
    void anUnroutableForwardIsAnsweredDeadLetteredAndAckedOnlyAfterTheDeadLetter() {
        InboundRef ref = router.send(write("w-1"));
        RouterReady forwarding = router.core.ready();
        Forward forward = forwarding.forwards().get(0);
        router.core.onForwardReturned(forward.forwardId());
        router.core.advance(forwarding);

        RouterReady rejecting = router.core.ready();
        assertThat(rejecting.acks()).as("not acked on the strength of a returned forward").isEmpty();
        assertThat(rejecting.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(d.reason()).contains("no queue is bound for replica " + forward.replica());
            assertThat(d.message().messageId()).isEqualTo("w-1");
        });
        assertThat(rejecting.relays()).singleElement().satisfies(r -> {
            assertThat(r.reply().errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(r.correlationId()).isEqualTo("corr-w-1");
        });
        router.core.advance(rejecting);
        assertThat(router.step().acks()).containsExactly(ref);
        assertThat(router.core.inFlight()).isZero();
    }

    @Test
    void aReturnOfAForwardOfAnotherReadyAndAReplyToAnUnknownForwardAreIgnored() {
        router.send(write("w-1"));
        Forward forward = router.drainOne();
        router.core.onForwardReturned(forward.forwardId());
        router.core.onReplicaReply("f-unknown", ok(forward, clock(forward.replica(), 1)), bytes("?"));
        assertThat(router.core.hasReady()).isFalse();
        assertThat(router.core.inFlight()).isEqualTo(1);
    }

    @Test
    void aFlightPushedOutOfTheFullTableIsAnsweredUnavailable() {
        CoreDriver small = new CoreDriver(new RouterLimits(2, 64, 1000));
        small.send(write("w-1"));
        Forward oldest = small.drainOne();
        small.send(query("q-2"));
        small.send(write("w-3"));
        small.drain();
        assertThat(small.core.inFlight()).isEqualTo(2);
        assertThat(small.relays()).singleElement().satisfies(r -> {
            assertThat(r.correlationId()).isEqualTo("corr-w-1");
            assertThat(r.reply().errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(r.reply().errorMessage()).contains("router overloaded", "re-send the same command id",
                    "outcome is unknown");
        });
        small.core.onReplicaReply(oldest.forwardId(), ok(oldest, clock(oldest.replica(), 1)), bytes("late"));
        small.drain();
        assertThat(small.relays()).as("the evicted flight's late reply is ignored").hasSize(1);
    }

    @Test
    void theTableNeverHoldsMoreThanItsBound() {
        CoreDriver small = new CoreDriver(new RouterLimits(5, 64, 1000));
        for (int i = 0; i < 50; i++) {
            small.send(i % 3 == 0 ? query("q-" + i) : write("w-" + i));
            small.drain();
            assertThat(small.core.inFlight()).isLessThanOrEqualTo(5);
        }
        assertThat(small.relays()).as("every one pushed out was answered").hasSize(45);
    }

    @Test
    void aResetForgetsWhatComesAgainAndAnswersWhatDoesNot() {
        router.send(write("acked"));
        router.drain(); // forwarded, confirmed, acked
        router.send(write("not-acked"));
        RouterReady halfDone = router.core.ready(); // its publish fails
        assertThat(halfDone.forwards()).hasSize(1);
        router.core.reset();

        assertThat(router.core.inFlight()).isZero();
        RouterReady after = router.step();
        assertThat(after.forwards()).as("the unacked message is redelivered; no forward of it now").isEmpty();
        assertThat(after.acks()).isEmpty();
        assertThat(after.relays()).singleElement().satisfies(r -> {
            assertThat(r.correlationId()).isEqualTo("corr-acked");
            assertThat(r.reply().errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        });
    }

    @Test
    void answersDecidedBeforeAResetAreStillDelivered() {
        router.send(write("w-1"));
        Forward forward = router.drainOne();
        router.core.onReplicaReply(forward.forwardId(), ok(forward, clock(forward.replica(), 1)), bytes("done"));
        router.core.ready(); // its relay could not be published
        router.core.reset();
        assertThat(router.step().relays()).singleElement().satisfies(r -> assertThat(r.body()).isEqualTo(bytes("done")));
    }

    @Test
    void theShellMustAdvanceEachReadyItTookFeedInBatchesAndNeverTurnTimeBack() {
        router.send(write("w-1"));
        RouterReady ready = router.core.ready();
        // another Ready may be taken before this one is confirmed (see RouterCoreRouteTest), but only
        // a Ready the core handed out can be advanced
        assertThatThrownBy(() -> router.core.advance(new RouterReady(java.util.List.of(), java.util.List.of(),
                java.util.List.of(), java.util.List.of()))).isInstanceOf(IllegalStateException.class);
        router.core.advance(ready);
        router.core.tick(10);
        assertThatThrownBy(() -> router.core.tick(9)).isInstanceOf(IllegalArgumentException.class);

        CoreDriver batchOfOne = new CoreDriver(new RouterLimits(1000, 1, 1000));
        assertThatThrownBy(() -> {
            for (int i = 0; i < 20; i++) {
                batchOfOne.send(write("w-" + i));
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("take ready()");
    }

    @Test
    void aMessageBeforeTheFirstTickIsRefused() {
        RouterCore fresh = new RouterCore(CoreDriver.REPLICAS, new RouterLimits(10, 10, 10));
        assertThatThrownBy(() -> fresh.onClientMessage(new InboundRef(1, 1), write("w")))
                .isInstanceOf(IllegalStateException.class);
    }
}
