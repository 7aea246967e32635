package fulcrum.bench;

import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.UnavailableException;
import fulcrum.common.client.WriteBatching;
import fulcrum.core.domain.Command;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Writes as the informant sends them: {@link FulcrumClient#submit} asks Mos Eisley for the route
 * (a transient request) and publishes the write once, persistent with confirms, to its replica's
 * queue, which answers the client directly. A write is answered when its reply arrives: routed,
 * published, confirmed, committed (synced) at the replica, replicated, answered.
 */
final class DirectWriteEndpoint implements Endpoint {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final FulcrumClient client;
    private final LongFunction<Command> commands;
    private final String idPrefix = UUID.randomUUID() + "-";
    // ids unique over the endpoint's life: a re-used id would be answered from the first reply (dedup)
    private final AtomicLong nextId = new AtomicLong();

    private DirectWriteEndpoint(FulcrumClient client, LongFunction<Command> commands) {
        this.client = client;
        this.commands = commands;
    }

    /** Clients that write along the informant's path: {@code commands} gives the command of each request. */
    static Factory writes(String uri, LongFunction<Command> commands, int writeBatch) {
        return index -> {
            try {
                return new DirectWriteEndpoint(FulcrumClient.connect(uri, "fulcrum-bench-informant-" + index, TIMEOUT, writeBatch),
                        commands);
            } catch (UnavailableException e) {
                throw new IOException(e.getMessage(), e);
            }
        };
    }

    @Override
    public void send(long sequence, Answer answer) {
        String id = idPrefix + nextId.incrementAndGet();
        client.submit(id, commands.apply(sequence), null, null)
                .whenComplete((reply, failure) -> answer.answered(failure != null ? failure.getClass().getSimpleName() + ": "
                        + failure.getMessage() : reply.ok() ? null : Endpoint.failureOf(reply)));
    }

    /** How this client's writes travelled so far. */
    WriteBatching batching() {
        return client.writeBatching();
    }

    @Override
    public void close() {
        client.close();
    }
}
