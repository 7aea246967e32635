package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.common.client.FulcrumClient;
import fulcrum.core.domain.Command;
import fulcrum.core.replica.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Many commands in flight at once through {@link FulcrumClient#submit}, for the tests of the direct path. */
final class SubmittedTogether {
    private SubmittedTogether() {
    }

    /**
     * Submits {@code count} commands at once, the i-th in the session of {@code after.apply(i)}'s
     * reply (null: none), and returns their replies, in order, each checked ok.
     */
    static List<Reply> all(FulcrumClient client, int count, IntFunction<Command> command, IntFunction<Reply> after)
            throws Exception {
        List<CompletableFuture<Reply>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Reply session = after.apply(i);
            futures.add(client.submit(UUID.randomUUID().toString(), command.apply(i),
                    session == null ? null : session.clock(), session == null ? null : session.replica()));
        }
        List<Reply> replies = new ArrayList<>();
        for (CompletableFuture<Reply> future : futures) {
            Reply reply = future.get(90, TimeUnit.SECONDS);
            assertThat(reply.ok()).as(reply.toString()).isTrue();
            replies.add(reply);
        }
        return replies;
    }
}
