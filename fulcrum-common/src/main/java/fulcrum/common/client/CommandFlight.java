package fulcrum.common.client;

import com.rabbitmq.client.AMQP;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One command a {@link CommandPipeline} has in flight: what it sends (properties and body encoded
 * once), where it stands (published, confirmed, the message to a replica that carries it, its
 * walk), its deadline, and the future its one outcome completes.
 */
final class CommandFlight {
    final String commandId;
    final Command command;
    final VectorClock requiredClock;
    final String lastReplica;
    final AMQP.BasicProperties props;
    final byte[] body;
    final CompletableFuture<Reply> reply = new CompletableFuture<>();
    volatile boolean confirmed;
    /** Whether any message of it went out (a write may wait for room at its replica first). */
    volatile boolean published;
    volatile ScheduledFuture<?> deadline;
    /** The message to a replica it went in last, until it is answered or walks on. */
    final AtomicReference<CommandPipeline.Sent> carrier = new AtomicReference<>();
    /**
     * A write's walk, once its route is known. Set once: by the submitting thread before the
     * write is published (route from the table), or by the reply consumer's thread on the route
     * answer; after that only the reply consumer's thread reads and moves it. A reply to that
     * publish can only come after it, so it finds the walk set (volatile: seen across threads).
     */
    volatile WriteWalk walk;

    CommandFlight(String commandId, Command command, VectorClock requiredClock, String lastReplica, AMQP.BasicProperties props,
                  byte[] body) {
        this.commandId = commandId;
        this.command = command;
        this.requiredClock = requiredClock;
        this.lastReplica = lastReplica;
        this.props = props;
        this.body = body;
    }
}
