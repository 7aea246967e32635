package fulcrum.common.client;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A write's walk along its route: on only after a STALE from where it is, final only from the last replica. */
class WriteWalkTest {
    private final WriteWalk walk = new WriteWalk(List.of("fulcrum-2", "fulcrum-1", "fulcrum-3"));

    @Test
    void aStaleFromTheReplicaTheWalkIsAtMovesItOnAndFromTheLastOneIsFinal() {
        assertThat(walk.replica()).isEqualTo("fulcrum-2");
        assertThat(walk.onReply(stale("fulcrum-2"))).isEqualTo(WriteWalk.Step.NEXT);
        assertThat(walk.replica()).isEqualTo("fulcrum-1");
        assertThat(walk.onReply(stale("fulcrum-1"))).isEqualTo(WriteWalk.Step.NEXT);
        assertThat(walk.onReply(stale("fulcrum-3"))).isEqualTo(WriteWalk.Step.FINAL);
    }

    @Test
    void aStaleOfAnEarlierWalkIsIgnoredAndNeverSkipsAReplica() {
        walk.onReply(stale("fulcrum-2"));
        assertThat(walk.onReply(stale("fulcrum-2"))).as("the same refusal again, from a re-send").isEqualTo(WriteWalk.Step.IGNORE);
        assertThat(walk.replica()).isEqualTo("fulcrum-1");
    }

    @Test
    void anyOtherAnswerIsFinalWhereverItComesFrom() {
        assertThat(walk.onReply(Reply.success(CommandKind.AddCity, "Hoth", "Echo", "fulcrum-3", VectorClock.empty(), null)))
                .isEqualTo(WriteWalk.Step.FINAL);
        assertThat(walk.onReply(Reply.failure(CommandKind.AddCity, "Hoth", "Echo", "fulcrum-1", VectorClock.empty(),
                ErrorCode.CITY_ALREADY_EXISTS, "exists"))).isEqualTo(WriteWalk.Step.FINAL);
    }

    private static Reply stale(String replica) {
        return Reply.failure(CommandKind.AddCity, "Hoth", "Echo", replica, VectorClock.empty(), ErrorCode.STALE, "behind");
    }
}
