package fulcrum.core.router;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.router.RouterReady.Forward;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link RouterCore} as a shell would, with no broker: messages in, each Ready taken,
 * "carried out" (recorded) and advanced. Test scaffolding for the core's unit tests.
 */
final class CoreDriver {
    static final List<String> REPLICAS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");
    static final String CLIENT_QUEUE = "client-replies";

    final RouterCore core;
    /** Everything every Ready asked for, in order. */
    final List<RouterReady> done = new ArrayList<>();
    private long nextTag = 1;

    CoreDriver(RouterLimits limits) {
        core = new RouterCore(REPLICAS, limits);
        core.tick(0);
    }

    CoreDriver() {
        this(new RouterLimits(1000, 64, 1000));
    }

    static ClientMessage message(String id, Command command, VectorClock required, String lastReplica) {
        return new ClientMessage(id, CLIENT_QUEUE, "corr-" + id, command.kind().name(), "mos-eisley.commands",
                Map.of(), ("body of " + id).getBytes(StandardCharsets.UTF_8),
                new ClientMessage.Decoded(command, required, lastReplica));
    }

    static ClientMessage write(String id) {
        return message(id, Command.updateNumber("Hoth", "Echo", 3), null, null);
    }

    static ClientMessage query(String id) {
        return message(id, Command.getNumberRebelds("Hoth", "Echo"), null, null);
    }

    /** Feeds one client message under a new delivery tag; returns its ref. */
    InboundRef send(ClientMessage message) {
        InboundRef ref = new InboundRef(1, nextTag++);
        core.onClientMessage(ref, message);
        return ref;
    }

    /** Takes and advances one Ready (the shell found no return), and returns it. */
    RouterReady step() {
        RouterReady ready = core.ready();
        done.add(ready);
        core.advance(ready);
        return ready;
    }

    /** Runs Readies until the core has nothing more to do; returns the forwards published meanwhile. */
    List<Forward> drain() {
        List<Forward> forwards = new ArrayList<>();
        for (int round = 0; core.hasReady(); round++) {
            if (round > 10) {
                throw new AssertionError("the core keeps producing Readies");
            }
            forwards.addAll(step().forwards());
        }
        return forwards;
    }

    /** The one forward that {@link #drain()} publishes. */
    Forward drainOne() {
        List<Forward> forwards = drain();
        if (forwards.size() != 1) {
            throw new AssertionError("expected one forward, got " + forwards);
        }
        return forwards.get(0);
    }

    /** Makes the core learn that {@code replica} holds {@code clock} on Hoth, then forgets what that took. */
    void teach(String replica, VectorClock clock) {
        send(query("teach-" + replica));
        Forward forward = drainOne();
        core.onReplicaReply(forward.forwardId(), ok(new Forward(replica, forward.forwardId(), forward.message()), clock),
                bytes("{}"));
        drain();
        done.clear();
    }

    List<RouterReady.Relay> relays() {
        return done.stream().flatMap(r -> r.relays().stream()).toList();
    }

    List<InboundRef> acks() {
        return done.stream().flatMap(r -> r.acks().stream()).toList();
    }

    List<RouterReady.DeadLetter> deadLetters() {
        return done.stream().flatMap(r -> r.deadLetters().stream()).toList();
    }

    static Reply stale(Forward to) {
        Command c = ((ClientMessage.Decoded) to.message().content()).command();
        return Reply.failure(c.kind(), c.planet(), c.city(), to.replica(), VectorClock.zero(REPLICAS),
                ErrorCode.STALE, "behind");
    }

    static Reply ok(Forward to, VectorClock clock) {
        Command c = ((ClientMessage.Decoded) to.message().content()).command();
        return Reply.success(c.kind(), c.planet(), c.city(), to.replica(), clock,
                c.kind().isWrite() ? null : 3L);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static VectorClock clock(String replica, long value) {
        return VectorClock.zero(REPLICAS).merge(VectorClock.of(Map.of(replica, value)));
    }
}
