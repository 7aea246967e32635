package fulcrum.informant.bulk;

import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.SessionFile.PendingSend;
import fulcrum.common.client.UnavailableException;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.SessionState;
import fulcrum.core.session.Verdict;
import fulcrum.informant.bulk.LineResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Sends the commands of a bulk input over one client, at most {@code inFlight} at a time, in the
 * order {@link LineOrdering} allows, and settles each answer against the run's session the way the
 * single-command path does: a command carries the session's clock and replica for its planet as
 * they stand when it is sent; its answer is checked against that envelope (an older answer is
 * refused as {@code STALE}) and, when accepted, advances the session. A line that waits for an
 * earlier one is sent only once that one settled, so it carries the clock its answer gave.
 */
public final class BulkRun {
    private final FulcrumClient client;
    private final int inFlight;
    private final Consumer<LineResult> onResult;
    private final Object sessionLock = new Object();
    private SessionState session;

    public BulkRun(FulcrumClient client, SessionState session, int inFlight, Consumer<LineResult> onResult) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("in-flight bound must be at least 1, got " + inFlight);
        }
        this.client = client;
        this.session = session;
        this.inFlight = inFlight;
        this.onResult = onResult;
    }

    /** Sends every line and returns once each has a result (in input order); results are also reported as they come. */
    public List<LineResult> run(List<BulkLine> lines) throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        LineOrdering ordering = new LineOrdering();
        List<CompletableFuture<LineResult>> settled = new ArrayList<>(lines.size());
        ExecutorService sender = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bulk-sender");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (int i = 0; i < lines.size(); i++) {
                // Taken in input order, and a line waits only for earlier lines: no wait can close a cycle.
                permits.acquire();
                BulkLine line = lines.get(i);
                boolean planetKnown;
                synchronized (sessionLock) {
                    planetKnown = session.lastReplica(line.command().planet()).isPresent();
                }
                CompletableFuture<?>[] waits = ordering.predecessors(i, line.command(), planetKnown,
                                earlier -> settled.get(earlier).isDone()).stream()
                        .map(settled::get).toArray(CompletableFuture[]::new);
                CompletableFuture<LineResult> result = CompletableFuture.allOf(waits)
                        .handle((ignored, failure) -> null) // a line's fate does not depend on how another ended
                        .thenComposeAsync(ignored -> send(line), sender)
                        .whenComplete((r, e) -> permits.release());
                settled.add(result);
            }
            List<LineResult> results = new ArrayList<>(lines.size());
            for (CompletableFuture<LineResult> result : settled) {
                results.add(result.join());
            }
            return results;
        } finally {
            sender.shutdownNow();
        }
    }

    /** The session after every accepted answer so far. */
    public SessionState session() {
        synchronized (sessionLock) {
            return session;
        }
    }

    private CompletableFuture<LineResult> send(BulkLine line) {
        String commandId = UUID.randomUUID().toString();
        PendingSend envelope;
        synchronized (sessionLock) {
            envelope = PendingSend.of(line.command().planet(), session);
        }
        return client.submit(commandId, line.command(), envelope.required(), envelope.lastReplica())
                .handle((reply, error) -> {
                    LineResult result = settle(line, commandId, envelope, reply, error);
                    onResult.accept(result);
                    return result;
                });
    }

    private LineResult settle(BulkLine line, String commandId, PendingSend envelope, Reply reply, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            String problem = cause instanceof UnavailableException ? cause.getMessage()
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage();
            return new LineResult(line, commandId, Outcome.UNKNOWN, null, problem, envelope);
        }
        if (reply.errorCode() == ErrorCode.UNAVAILABLE) {
            // The router could not get an answer (overloaded, no queue, lost it): the outcome is unknown.
            return new LineResult(line, commandId, Outcome.UNKNOWN, null,
                    "UNAVAILABLE: " + reply.errorMessage(), envelope);
        }
        Verdict verdict = envelope.sessionAtSend().check(reply);
        if (!verdict.accepted()) {
            Reply refused = Reply.failure(reply.command(), reply.planet(), reply.city(), reply.replica(), reply.clock(),
                    verdict.code(), verdict.reason());
            return new LineResult(line, commandId, Outcome.REJECTED, refused, null, envelope);
        }
        synchronized (sessionLock) {
            session = session.observe(reply);
        }
        return new LineResult(line, commandId, reply.ok() ? Outcome.OK : Outcome.REJECTED, reply, null, envelope);
    }
}
