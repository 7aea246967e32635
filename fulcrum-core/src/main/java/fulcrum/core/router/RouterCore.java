package fulcrum.core.router;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.router.RouterReady.DeadLetter;
import fulcrum.core.router.RouterReady.Forward;
import fulcrum.core.router.RouterReady.Relay;
import fulcrum.core.session.ReplicaKnowledge;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;

/**
 * Everything Mos Eisley decides, with no I/O, no threads and no clock: inputs go in through the
 * {@code on...} methods and {@link #tick}, and {@link #ready()} says what to publish, answer and
 * ack (see {@link RouterReady} for the shell's steps), until {@link #advance} says it was done.
 *
 * <p>The rules it keeps:
 * <ul>
 *   <li>A write walks the order fixed by the message ({@code WriteRouting}) and moves to the next
 *       replica only after a {@code STALE} answer: the replicas' recorded refusals then make it
 *       applied at most once. A replica that does not answer keeps the write in its durable queue.</li>
 *   <li>A query follows what the router learnt from replies ({@code SessionRouting}); one in eight
 *       tries another replica first. A query has no effect to duplicate, so it also moves on when
 *       its replica does not answer within {@link RouterLimits#queryTimeoutMillis()}; the silent
 *       replica may still answer (a replica that was down serves its queue when it returns), and
 *       the first answer other than {@code STALE} is relayed, or the last {@code STALE} once every
 *       replica asked has refused.</li>
 *   <li>Nothing ends in silence: an input that cannot be decoded is answered and dead-lettered; a
 *       forward returned as unroutable is answered {@code UNAVAILABLE} and dead-lettered; a flight
 *       pushed out of the full table, or whose reply was lost with the connection, is answered
 *       {@code UNAVAILABLE} (re-sending the same command id is safe).</li>
 *   <li>An inbound message is acked only after its forward or dead letter was confirmed.</li>
 *   <li>Every table and queue is bounded; a reply to an unknown forward id is ignored.</li>
 * </ul>
 */
public final class RouterCore {
    /** Outputs one Ready may hold: each delivery, return or expired query yields at most two. */
    private static final int OUTPUTS_PER_INPUT = 2;

    private final RouterLimits limits;
    private final Routes routes;
    private final ReplicaKnowledge knowledge = new ReplicaKnowledge();
    private final InFlightTable table;
    private final RouterCounters counters = new RouterCounters();
    /**
     * The next Ready's outputs, and the Readies handed out by {@link #ready()} and not advanced yet:
     * the shell publishes a Ready at once and advances it when the broker confirmed it, so several
     * may be outstanding; they are advanced in the order they were handed out.
     */
    private final ReadyLedger ledger = new ReadyLedger();
    private long nowMillis;
    private boolean ticked;
    private long forwardSequence;
    /** Null in production: a write's order is fixed by the message ({@code WriteRouting}). */
    private final WriteOrder writeOrder;

    public RouterCore(List<String> replicas, RouterLimits limits) {
        this(replicas, limits, null);
    }

    /**
     * Tests only: a core whose writes are ordered by {@code writeOrder} instead of by the message alone,
     * to show what the fixed order prevents. Production passes null.
     */
    RouterCore(List<String> replicas, RouterLimits limits, WriteOrder writeOrder) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.routes = new Routes(replicas);
        this.table = new InFlightTable(limits.maxInFlight(), routes.replicaCount());
        this.writeOrder = writeOrder;
    }

    /** How a test orders a write, from what the core knows when the message arrives. */
    interface WriteOrder {
        List<String> order(String messageId, ClientMessage.Decoded envelope, ReplicaKnowledge knowledge);
    }

    /** The time now, from a monotonic source; also offers queries whose replica is too slow to the next one. */
    public void tick(long nowMillis) {
        if (ticked && nowMillis < this.nowMillis) {
            throw new IllegalArgumentException("time went back: " + nowMillis + " < " + this.nowMillis);
        }
        this.nowMillis = nowMillis;
        ticked = true;
        // Only a query's latest forward, and only while a replica is left, has a deadline. The
        // silent replica's forward stays outstanding: it may still answer from its queue.
        for (Flight query : table.takeExpired(nowMillis, limits.maxBatch())) {
            counters.queryTimeout();
            forwardToNextReplica(query);
        }
        checkBound();
    }

    /** A client's command or query, delivered under {@code inbound}. */
    public void onClientMessage(InboundRef inbound, ClientMessage message) {
        Objects.requireNonNull(inbound, "inbound");
        if (!ticked) {
            throw new IllegalStateException("tick before the first message: forwards need the time");
        }
        if (message.messageId() == null || message.messageId().isBlank()) {
            reject(inbound, message, message.content() instanceof ClientMessage.Decoded d ? d.command().kind() : null,
                    ErrorCode.BAD_MESSAGE, "message has no message_id (the command id)");
        } else if (message.content() instanceof ClientMessage.Undecodable bad) {
            reject(inbound, message, bad.kind(), bad.code(), bad.reason());
        } else {
            ClientMessage.Decoded envelope = (ClientMessage.Decoded) message.content();
            List<String> order = writeOrder != null && envelope.command().kind().isWrite()
                    ? writeOrder.order(message.messageId(), envelope, knowledge)
                    : routes.order(message.messageId(), envelope, knowledge);
            Flight flight = new Flight(message, envelope, order, inbound);
            Flight evicted = table.add(flight);
            if (evicted != null) {
                answer(evicted, unavailable(evicted, "router overloaded (" + limits.maxInFlight()
                        + " commands in flight): it forgot this one while replica " + evicted.replica()
                        + " had not answered" + resendAdvice(evicted)));
            }
            forwardToNextReplica(flight);
            ledger.ackAfterForward(flight.latestForwardId, inbound, flight);
        }
        checkBound();
    }

    /**
     * A client asks where to send a write itself (the direct write path; see {@link RouteAnswer}).
     * The answer is the order the router would walk for the same message on its own write path
     * ({@code WriteRouting}: last replica, then the command id), so both paths, every attempt and
     * every router copy agree. Nothing is kept: a route request is transient and answered at once.
     *
     * <p>The answer also hands out the route table, the replica set the order was drawn from, valid
     * for {@link RouterLimits#routeTableValidityMillis()} (none when that is 0): the client computes
     * its next writes' orders itself with the same {@code WriteRouting}, the same answers this method
     * would give. A core whose writes follow a test's {@link WriteOrder} hands out no table, since a
     * client could not compute that order.
     */
    public RouteAnswer onRouteRequest(ClientMessage message) {
        Objects.requireNonNull(message, "message");
        RouteAnswer answer;
        if (message.messageId() == null || message.messageId().isBlank()) {
            answer = RouteAnswer.refused(ErrorCode.BAD_MESSAGE, "route request has no message_id (the command id)");
        } else if (message.content() instanceof ClientMessage.Undecodable bad) {
            answer = RouteAnswer.refused(bad.code(), bad.reason());
        } else {
            ClientMessage.Decoded envelope = (ClientMessage.Decoded) message.content();
            if (!envelope.command().kind().isWrite()) {
                answer = RouteAnswer.refused(ErrorCode.BAD_MESSAGE, "only writes are routed by request: send "
                        + envelope.command().kind().name() + " to Mos Eisley's query queue, which asks the replicas");
            } else if (writeOrder != null) {
                // tests only: an order no route table can carry, so none is offered
                answer = RouteAnswer.route(writeOrder.order(message.messageId(), envelope, knowledge));
            } else {
                List<String> order = routes.order(message.messageId(), envelope, knowledge);
                answer = limits.routeTableValidityMillis() == 0
                        ? RouteAnswer.route(order)
                        : RouteAnswer.route(order, routes.replicas(), limits.routeTableValidityMillis());
            }
        }
        counters.routeAnswered(answer.ok() ? RouterCounters.OK : answer.errorCode().name());
        return answer;
    }

    /** A replica answered forward {@code forwardId}; {@code body} is relayed as it came. */
    public void onReplicaReply(String forwardId, Reply reply, byte[] body) {
        Objects.requireNonNull(reply, "reply");
        Flight flight = table.takeForward(forwardId);
        if (flight == null) {
            return; // answered, evicted or from before a restart: its client has had an answer
        }
        knowledge.learn(reply);
        String outcome = reply.ok() ? RouterCounters.OK : reply.errorCode().name();
        if (reply.ok() || reply.errorCode() != ErrorCode.STALE) {
            end(flight);
            relay(flight, body, outcome);
        } else if (forwardId.equals(flight.latestForwardId) && flight.hasNextReplica()) {
            counters.staleReroute(flight.envelope.command().kind());
            forwardToNextReplica(flight);
        } else if (flight.outstanding.isEmpty()) {
            end(flight);
            relay(flight, body, outcome); // every replica refused: the client gets the last refusal
        }
        // else a query's replica that was silent may still answer, from its queue, with what it holds
        checkBound();
    }

    /** A replica's reply to {@code forwardId} could not be read: the client gets it as it is. */
    public void onUnreadableReply(String forwardId, byte[] body) {
        Flight flight = table.takeForward(forwardId);
        if (flight != null) {
            end(flight);
            relay(flight, body, RouterCounters.UNREADABLE);
        }
        checkBound();
    }

    /**
     * The broker returned forward {@code forwardId} of a Ready not advanced yet: no queue is bound
     * for its replica. The client is answered and the message dead-lettered; its inbound ack waits
     * for the dead letter's confirm. Ids of Readies already advanced are ignored.
     */
    public void onForwardReturned(String forwardId) {
        Forward forward = ledger.outstandingForward(forwardId);
        if (forward == null) {
            return;
        }
        String reason = "no queue is bound for replica " + forward.replica() + ", so the router could not forward "
                + "the message; re-send the same command id once the replica's queue exists";
        Flight flight = table.takeForward(forwardId);
        if (flight != null) {
            end(flight);
            answer(flight, unavailable(flight, reason));
        }
        ledger.returned(forwardId, new DeadLetter(forward.message(), ErrorCode.UNAVAILABLE, reason));
        counters.deadLettered(forward.message().sourceQueue(), ErrorCode.UNAVAILABLE);
        checkBound();
    }

    /** Whether {@link #ready()} has anything to do. */
    public boolean hasReady() {
        return ledger.hasReady();
    }

    /**
     * What to do now. The shell may take further Readies before it advances this one (it publishes
     * without waiting for confirms); it advances them in the order they were taken, or resets.
     */
    public RouterReady ready() {
        return ledger.take();
    }

    /** Readies handed out and not advanced yet. */
    public int outstandingReadies() {
        return ledger.outstandingReadies();
    }

    /**
     * {@code ready}, the oldest outstanding one, was carried out: its publishes are confirmed, its
     * returns reported, its acks sent.
     */
    public void advance(RouterReady ready) {
        ledger.advance(ready);
    }

    /**
     * The connection was lost or a Ready failed half-way: every inbound message not acked comes
     * again, and replies to earlier forwards are lost with the old reply queue. Flights whose
     * message comes again are forgotten; the others are answered {@code UNAVAILABLE}. Answers
     * already decided are kept for the next Ready.
     */
    public void reset() {
        ledger.reset();
        for (Flight flight : table.removeAll()) {
            if (flight.inboundAcked) {
                answer(flight, unavailable(flight, "the router lost the reply of replica " + flight.replica()
                        + " with its broker connection" + resendAdvice(flight)));
            }
        }
        ledger.carriedOverByReset();
    }

    /** Flights waiting for a reply. */
    public int inFlight() {
        return table.size();
    }

    /** What the core decided so far, counted (for the shell's metrics). */
    public RouterCounters.Snapshot counters() {
        return counters.snapshot();
    }

    /** What the router learnt: replica to planet to the greatest clock that replica reported. */
    public SortedMap<String, SortedMap<String, VectorClock>> knowledge() {
        return knowledge.snapshot();
    }

    private void forwardToNextReplica(Flight flight) {
        flight.attempt++;
        forwardSequence++;
        flight.latestForwardId = "f-" + forwardSequence;
        // A write never moves on without STALE, so it has no deadline; nor has a query with no replica left.
        Long deadline = !flight.isWrite() && flight.hasNextReplica() ? nowMillis + limits.queryTimeoutMillis() : null;
        table.addForward(flight, flight.latestForwardId, deadline);
        counters.forwarded(flight.replica());
        ledger.forward(new Forward(flight.replica(), flight.latestForwardId, flight.message));
    }

    /** The flight gets its final answer now: later replies to any of its forwards are ignored. */
    private void end(Flight flight) {
        table.remove(flight);
    }

    private void reject(InboundRef inbound, ClientMessage message, CommandKind kind, ErrorCode code, String reason) {
        if (message.wantsAnswer()) {
            ledger.relay(new Relay(message.replyTo(), message.answerCorrelationId(), kind == null ? null : kind.name(), null,
                    Reply.failure(kind, null, null, null, null, code, reason)));
        }
        ledger.deadLetter(new DeadLetter(message, code, reason), inbound);
        counters.answered(kind, code);
        counters.deadLettered(message.sourceQueue(), code);
    }

    /** Relays a replica's answer as it came; {@code outcome} is what it says, for the counters. */
    private void relay(Flight flight, byte[] body, String outcome) {
        counters.answered(flight.envelope.command().kind(), outcome);
        answer(flight, body, null);
    }

    /** Answers with a reply the router made (an error). */
    private void answer(Flight flight, Reply reply) {
        counters.answered(flight.envelope.command().kind(), reply.errorCode());
        answer(flight, null, reply);
    }

    private void answer(Flight flight, byte[] body, Reply reply) {
        if (flight.message.wantsAnswer()) {
            ledger.relay(new Relay(flight.message.replyTo(), flight.message.answerCorrelationId(),
                    flight.envelope.command().kind().name(), body, reply));
        }
    }

    /** What a client told UNAVAILABLE by the router should do: for a write, whose outcome is unknown, why it may. */
    private static String resendAdvice(Flight flight) {
        return "; re-send the same command id" + (flight.isWrite() ? " (the outcome is unknown; re-sending is safe)" : "");
    }

    private static Reply unavailable(Flight flight, String message) {
        var command = flight.envelope.command();
        return Reply.failure(command.kind(), command.planet(), command.city(), null, null, ErrorCode.UNAVAILABLE, message);
    }

    /**
     * Between two {@link #ready()} calls the shell feeds at most {@code maxBatch} deliveries, a tick
     * expires at most {@code maxBatch} queries, and returns come only for the Ready it is advancing
     * (at most one per delivery or expiry before it, so {@code 2 * maxBatch}): four times
     * {@code maxBatch} inputs of at most two outputs each. So the next Ready never holds more than
     * this (plus what a reset carried over, itself bounded by the table); more means the shell broke
     * its side of the contract.
     */
    private void checkBound() {
        long bound = (long) OUTPUTS_PER_INPUT * 4 * limits.maxBatch();
        if (ledger.waiting() > bound) {
            throw new IllegalStateException(ledger.waiting() + " outputs waiting, more than " + bound
                    + ": the shell must take ready() at least every " + limits.maxBatch() + " deliveries");
        }
    }
}
