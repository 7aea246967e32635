package fulcrum.core.router;

import static fulcrum.core.router.CoreDriver.bytes;
import static fulcrum.core.router.CoreDriver.clock;
import static fulcrum.core.router.CoreDriver.ok;
import static fulcrum.core.router.CoreDriver.stale;
import static fulcrum.core.router.CoreDriver.write;
import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.router.RouterReady.Forward;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the core counts for the router's metrics: final answers, STALE re-routes, forwards, dead letters. */
class RouterCountersTest {
    private final CoreDriver router = new CoreDriver();

    @Test
    void countsEachFinalAnswerOnceByKindAndOutcomeAndEveryStaleReroute() {
        router.send(write("w-1"));
        Forward first = router.drainOne();
        router.core.onReplicaReply(first.forwardId(), stale(first), bytes("{}"));
        Forward second = router.drainOne();
        router.core.onReplicaReply(second.forwardId(), ok(second, clock(second.replica(), 1)), bytes("{}"));
        router.drain();

        ClientMessage bad = new ClientMessage("bad-1", CoreDriver.CLIENT_QUEUE, null, null, "mos-eisley.commands",
                Map.of(), bytes("{not json"), new ClientMessage.Undecodable(ErrorCode.BAD_MESSAGE, "not JSON", null));
        router.send(bad);
        router.drain();

        RouterCounters.Snapshot counted = router.core.counters();
        assertThat(counted.answersByKindAndOutcome()).isEqualTo(Map.of(
                "UpdateNumber", Map.of(RouterCounters.OK, 1L),
                RouterCounters.UNKNOWN_KIND, Map.of("BAD_MESSAGE", 1L)));
        assertThat(counted.staleReroutesByKind()).isEqualTo(Map.of("UpdateNumber", 1L));
        assertThat(counted.forwardsByReplica()).isEqualTo(Map.of(first.replica(), 1L, second.replica(), 1L));
        assertThat(counted.deadLettersByQueueAndCode()).isEqualTo(Map.of("mos-eisley.commands", Map.of("BAD_MESSAGE", 1L)));
        assertThat(counted.queryTimeouts()).isZero();
    }

    @Test
    void anUnroutableForwardCountsAsAnUnavailableAnswerAndDeadLetter() {
        router.send(write("w-1"));
        RouterReady forwarding = router.core.ready();
        router.core.onForwardReturned(forwarding.forwards().get(0).forwardId());
        router.core.advance(forwarding);
        router.drain();

        RouterCounters.Snapshot counted = router.core.counters();
        assertThat(counted.answersByKindAndOutcome()).isEqualTo(Map.of("UpdateNumber", Map.of("UNAVAILABLE", 1L)));
        assertThat(counted.deadLettersByQueueAndCode()).isEqualTo(Map.of("mos-eisley.commands", Map.of("UNAVAILABLE", 1L)));
    }
}
