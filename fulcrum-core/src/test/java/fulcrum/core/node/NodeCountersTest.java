package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.protocol.MergeNow;
import fulcrum.core.replica.Operation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the production node counts for the worker's metrics. */
class NodeCountersTest {
    private static final List<String> IDS = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");

    @Test
    void commandsAreCountedByKindAndOutcomeWithDedupHitsApart() {
        TestReplica r = new TestReplica("fulcrum-1", IDS);
        r.execute("c-1", Command.addCity("Hoth", "Echo", 3));
        r.execute("c-2", Command.addCity("Hoth", "Base", 1));
        r.execute("c-1", Command.addCity("Hoth", "Echo", 3)); // the same id again
        r.execute("c-3", Command.deleteCity("Hoth", "Nowhere"));
        r.execute("q-1", Command.getNumberRebelds("Hoth", "Echo"));
        r.node().onBadCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, 99), new ReplyAddress("client", "b-1"), null,
                ErrorCode.BAD_MESSAGE, "not JSON");
        r.node().ready();

        NodeStats stats = r.node().stats();
        assertThat(stats.commands()).isEqualTo(Map.of(
                "AddCity", Map.of(NodeCounters.OK, 2L, NodeCounters.DEDUP, 1L),
                "DeleteCity", Map.of("CITY_NOT_FOUND", 1L),
                "GetNumberRebelds", Map.of(NodeCounters.OK, 1L),
                NodeCounters.UNKNOWN_KIND, Map.of("BAD_MESSAGE", 1L)));
        assertThat(stats.answeredFromRecord()).isEqualTo(1);
        assertThat(stats.deadLettersBySource()).isEqualTo(Map.of("commands", Map.of("BAD_MESSAGE", 1L)));
        assertThat(stats.opLogLength()).as("two entries of its own").isEqualTo(2);
    }

    @Test
    void publishedEntriesCountForEveryPeerAndMergedOnesForTheirOrigin() {
        TestReplica one = new TestReplica("fulcrum-1", IDS);
        one.execute("c-1", Command.addCity("Hoth", "Echo", 3));
        one.execute("c-2", Command.updateNumber("Hoth", "Echo", 4));
        assertThat(one.node().stats().sentTo()).as("eager: each write published on the fanout")
                .isEqualTo(Map.of("fulcrum-2", 2L, "fulcrum-3", 2L));

        TestReplica two = new TestReplica("fulcrum-2", IDS);
        List<Operation> entries = one.store().allOperations().stream().filter(o -> o.origin().equals("fulcrum-1")).toList();
        two.merge(entries.subList(1, 2)); // the second alone: a gap, held and not applied
        assertThat(two.node().stats().behind()).isEqualTo(Map.of("fulcrum-1", 2L, "fulcrum-3", 0L));
        two.merge(entries);
        NodeStats stats = two.node().stats();
        assertThat(stats.receivedFrom()).isEqualTo(Map.of("fulcrum-1", 3L));
        assertThat(stats.behind()).isEqualTo(Map.of("fulcrum-1", 0L, "fulcrum-3", 0L));
        assertThat(stats.commands()).isEmpty();
    }

    @Test
    void deadLettersAreCountedPerQueueAndCodeAndTheTotalsAgree() {
        TestReplica r = new TestReplica("fulcrum-1", IDS);
        r.node().onBadCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, 1), ReplyAddress.NONE, null,
                ErrorCode.BAD_MESSAGE, "not JSON");
        r.node().onBadCommand(new DeliveryRef(DeliveryRef.Source.COMMANDS, 0, 2), ReplyAddress.NONE, null,
                ErrorCode.UNKNOWN_COMMAND, "no such kind");
        r.node().onBadPeerMessage(new DeliveryRef(DeliveryRef.Source.MERGE, 0, 3), ErrorCode.BAD_MESSAGE, "not JSON");
        r.node().ready();

        NodeStats stats = r.node().stats();
        assertThat(stats.deadLettersBySource()).isEqualTo(Map.of(
                "commands", Map.of("BAD_MESSAGE", 1L, "UNKNOWN_COMMAND", 1L),
                "merge", Map.of("BAD_MESSAGE", 1L)));
        assertThat(stats.deadLettersByCode()).isEqualTo(Map.of("BAD_MESSAGE", 2L, "UNKNOWN_COMMAND", 1L));
        assertThat(stats.deadLetters()).isEqualTo(3);
    }

    @Test
    void mergeRoundsAreCountedByWhatStartedThem() {
        TestReplica r = new TestReplica("fulcrum-1", IDS);
        r.receive(new MergeNow("m-1"));
        r.advanceTime(NodeConfig.defaults("fulcrum-1", IDS, 1, 1).mergeIntervalMillis());
        assertThat(r.node().stats().mergeRounds())
                .isEqualTo(Map.of(NodeCounters.ROUND_REQUESTED, 1L, NodeCounters.ROUND_INTERVAL, 1L));
    }
}
