package fulcrum.common.client;

import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import java.util.List;

/**
 * One walk of a write along the route Mos Eisley gave (the direct write path): the write goes to
 * the route's first replica, and to the next only once the one it is at answered {@code STALE}.
 *
 * <p>Why that is safe, and when a {@code STALE} is the final answer: a replica records a refusal as
 * the command's outcome, so a replica behind the walk never applies the command later; and a walk
 * reaches a replica only after every one before it refused. So a refusal from the route's last
 * replica means every replica refused for good (final), one from the replica the walk is at moves
 * the walk on, and any other comes from an earlier walk of the same id (a re-send) that got no
 * further than this one: it is ignored. Every other answer (applied, rejected) is final, from
 * whichever replica it comes: only one replica ever executes the command.
 */
final class WriteWalk {
    /** What to do with an answer. */
    enum Step { FINAL, NEXT, IGNORE }

    private final List<String> route;
    private int at;

    WriteWalk(List<String> route) {
        if (route.isEmpty()) {
            throw new IllegalArgumentException("an empty route");
        }
        this.route = List.copyOf(route);
    }

    /** The replica the write is to be sent to now. */
    String replica() {
        return route.get(at);
    }

    /** Takes an answer to the command; on {@link Step#NEXT} the walk is at the next replica. */
    Step onReply(Reply reply) {
        if (reply.ok() || reply.errorCode() != ErrorCode.STALE || reply.replica() == null
                || reply.replica().equals(route.get(route.size() - 1))) {
            return Step.FINAL;
        }
        if (reply.replica().equals(replica())) {
            at++;
            return Step.NEXT;
        }
        return Step.IGNORE;
    }
}
