package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.protocol.Delta;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A serving replica that restarts with a large backlog of its own entries unpublished (a crash
 * before publishing, a switch from interval mode, a store built offline) publishes it a bounded
 * round per Ready instead of all at once: a worker with 333,334 unpublished entries ran out of a
 * 96 MiB heap building its first Ready. In eager mode it takes no command until what is left fits the
 * Ready that answers one (which still publishes every own entry first).
 */
class PublicationBacklogTest {
    private static final List<String> IDS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");
    private static final long ROUND_ENTRIES = (long) OwnStream.MAX_DELTAS_PER_ROUND * Delta.MAX_OPS;
    private static final long ANSWERABLE = OwnStream.MAX_UNPUBLISHED_TO_ANSWER;
    private static final int BACKLOG = (int) ANSWERABLE + 5_000;

    private long tag;

    @Test
    void aBacklogGoesOutARoundAtATimeAndNoCommandIsAnsweredBeforeItsEntriesAreOut() {
        MemoryStore store = storeWithUnpublishedEntries(BACKLOG);
        ReplicaNode node = new ReplicaNode(NodeConfig.defaults("fulcrum-1", IDS, 1, 1), store, 0); // eager
        assertThat(node.serving()).isTrue();
        assertThat(node.takesCommands()).as("backlog of %d > %d", BACKLOG, ANSWERABLE).isFalse();

        DeliveryRef early = command();
        node.onCommand(early, new ReplyAddress("client", "early"), "early", Command.addCity("Hoth", "Early", 1), null);
        Ready first = node.ready();
        assertThat(first.requeues()).containsExactly(early);
        assertThat(first.replies()).isEmpty();
        assertThat(publishedEntries(first)).isEqualTo(ROUND_ENTRIES);
        assertThat(lastPublished(first)).isEqualTo(ROUND_ENTRIES);
        store.commit(first.commit());
        node.advance(first, true);
        long rounds = 1;
        while (!node.takesCommands()) {
            Ready round = node.ready();
            assertThat(publishedEntries(round)).isEqualTo(ROUND_ENTRIES);
            store.commit(round.commit());
            node.advance(round, true);
            rounds++;
        }
        long published = rounds * ROUND_ENTRIES;
        assertThat(rounds).as("rounds until what is left fits one answering Ready")
                .isEqualTo((BACKLOG - ANSWERABLE + ROUND_ENTRIES - 1) / ROUND_ENTRIES);
        assertThat(node.published()).isEqualTo(published);

        node.onCommand(command(), new ReplyAddress("client", "late"), "late", Command.addCity("Hoth", "Late", 1), null);
        Ready answering = node.ready();
        assertThat(answering.replies()).singleElement().satisfies(r -> assertThat(r.reply().ok()).isTrue());
        assertThat(lastPublished(answering)).as("every own entry, the new one included").isEqualTo(BACKLOG + 1L);
        store.commit(answering.commit());
        node.advance(answering, true);
        assertThat(node.published()).isEqualTo(BACKLOG + 1L);
    }

    @Test
    void withoutCommandsTheBacklogDrainsOverBoundedReadys() {
        MemoryStore store = storeWithUnpublishedEntries(BACKLOG);
        ReplicaNode node = new ReplicaNode(NodeConfig.defaults("fulcrum-1", IDS, 1, 1), store, 0);
        int readys = 0;
        int publishing = 0;
        Ready ready;
        while ((ready = node.ready()) != null && readys < 100) {
            assertThat(publishedEntries(ready)).isLessThanOrEqualTo(ROUND_ENTRIES);
            publishing += publishedEntries(ready) > 0 ? 1 : 0;
            store.commit(ready.commit());
            node.advance(ready, true);
            readys++;
        }
        assertThat(node.published()).isEqualTo(BACKLOG);
        assertThat(publishing).as("full rounds, then the rest").isEqualTo((BACKLOG + ROUND_ENTRIES - 1) / ROUND_ENTRIES);
    }

    /** A serving store whose replica wrote {@code entries} AddCity entries in interval mode and published none. */
    private MemoryStore storeWithUnpublishedEntries(int entries) {
        MemoryStore store = new MemoryStore("fulcrum-1");
        store.commit(new StoreBatch().putIncarnation(1).putPhase(Phase.SERVING));
        ReplicaNode writer = new ReplicaNode(NodeConfig.defaults("fulcrum-1", IDS, 1, 1)
                .withReplication(NodeConfig.Replication.INTERVAL), store, 0); // no tick: its interval never comes
        for (int i = 0; i < entries; i++) {
            writer.onCommand(command(), ReplyAddress.NONE, "c-" + i, Command.addCity("Hoth", "c" + i, 1), null);
            if (i % 5_000 == 4_999 || i == entries - 1) {
                Ready r;
                while ((r = writer.ready()) != null) {
                    store.commit(r.commit());
                    writer.advance(r, true);
                }
            }
        }
        assertThat(writer.applied().get("fulcrum-1")).isEqualTo(entries);
        assertThat(writer.published()).isZero();
        return store;
    }

    private DeliveryRef command() {
        return new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, ++tag);
    }

    private static long publishedEntries(Ready ready) {
        return ready.messages().stream().filter(m -> m.message() instanceof Delta)
                .mapToLong(m -> ((Delta) m.message()).operations().size()).sum();
    }

    private static long lastPublished(Ready ready) {
        return ready.messages().stream().filter(m -> m.message() instanceof Delta)
                .mapToLong(m -> {
                    List<fulcrum.core.replica.Operation> ops = ((Delta) m.message()).operations();
                    return ops.get(ops.size() - 1).originSeq();
                }).max().orElse(0);
    }
}
