package fulcrum.core.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouterReady.DeadLetter;
import fulcrum.core.router.RouterReady.Forward;
import fulcrum.core.router.RouterReady.Relay;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadyLedgerTest {
    private final ReadyLedger ledger = new ReadyLedger();
    private final InboundRef inbound = new InboundRef(1, 7);

    @Test
    void anInboundMessageIsAckedOnlyInTheReadyAfterItsForwardWasAdvanced() {
        ledger.forward(forward("f-1"));
        ledger.ackAfterForward("f-1", inbound, null);
        RouterReady first = ledger.take();
        assertThat(first.forwards()).extracting(Forward::forwardId).containsExactly("f-1");
        assertThat(first.acks()).isEmpty();
        assertThat(ledger.hasReady()).as("the ack waits for the confirm").isFalse();

        ledger.advance(first);
        assertThat(ledger.hasReady()).isTrue();
        assertThat(ledger.take().acks()).containsExactly(inbound);
    }

    @Test
    void aReturnedForwardsAckWaitsForItsDeadLetterInstead() {
        ledger.forward(forward("f-1"));
        ledger.ackAfterForward("f-1", inbound, null);
        RouterReady first = ledger.take();
        assertThat(ledger.outstandingForward("f-1")).isNotNull();
        assertThat(ledger.outstandingForward("f-9")).isNull();

        ledger.returned("f-1", new DeadLetter(message("f-1"), ErrorCode.UNAVAILABLE, "no queue"));
        RouterReady deadLetter = ledger.take();
        ledger.advance(first);
        assertThat(ledger.take().acks()).as("not acked with the returned forward's Ready").isEmpty();
        ledger.advance(deadLetter);
        assertThat(ledger.take().acks()).containsExactly(inbound);
    }

    @Test
    void readiesAreAdvancedOldestFirst() {
        ledger.forward(forward("f-1"));
        RouterReady first = ledger.take();
        ledger.forward(forward("f-2"));
        RouterReady second = ledger.take();
        assertThat(ledger.outstandingReadies()).isEqualTo(2);
        assertThatThrownBy(() -> ledger.advance(second)).isInstanceOf(IllegalStateException.class);
        ledger.advance(first);
        ledger.advance(second);
        assertThat(ledger.outstandingReadies()).isZero();
    }

    @Test
    void aResetForgetsTheAcksAndKeepsTheDecidedAnswersBeyondTheBound() {
        ledger.forward(forward("f-1"));
        ledger.ackAfterForward("f-1", inbound, null);
        ledger.relay(relay("a-1"));
        ledger.take();
        ledger.relay(relay("a-2"));

        ledger.reset();
        ledger.carriedOverByReset();

        assertThat(ledger.waiting()).as("what a reset carried over is not counted against the bound").isZero();
        ledger.deadLetter(new DeadLetter(message("m"), ErrorCode.BAD_MESSAGE, "bad"), inbound);
        assertThat(ledger.waiting()).isEqualTo(1);
        RouterReady next = ledger.take();
        assertThat(next.relays()).extracting(Relay::correlationId).containsExactly("a-1", "a-2");
        assertThat(next.acks()).as("forgotten: the broker delivers it again").isEmpty();
        assertThat(ledger.outstandingReadies()).isEqualTo(1);
        assertThat(ledger.waiting()).isZero();
    }

    private static Forward forward(String id) {
        return new Forward("fulcrum-1", id, message(id));
    }

    private static ClientMessage message(String id) {
        return new ClientMessage(id, "reply", id, "AddCity", "mos-eisley.commands", Map.of(), new byte[0],
                new ClientMessage.Undecodable(ErrorCode.BAD_MESSAGE, "test", null));
    }

    private static Relay relay(String correlationId) {
        return new Relay("reply", correlationId, "AddCity", new byte[] {1}, null);
    }
}
