package fulcrum.common.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The batching rule of the pipeline, without a broker: who goes now, who waits, who goes together. */
class ReplicaLanesTest {
    private final Set<String> ended = new HashSet<>();

    private ReplicaLanes<String> lanes(int batchMax, int maxBytes) {
        return new ReplicaLanes<>(batchMax, maxBytes, String::length, ended::contains);
    }

    @Test
    void atLowLoadEveryWriteGoesAloneAndAtOnce() {
        ReplicaLanes<String> lanes = lanes(64, 1_000);
        lanes.add("r1", "a");
        assertThat(lanes.next("r1")).containsExactly("a");
        lanes.release("r1");
        lanes.add("r1", "b");
        assertThat(lanes.next("r1")).containsExactly("b");
        assertThat(lanes.next("r1")).as("nothing else waits").isNull();
    }

    @Test
    void withTwoMessagesUnansweredTheNextWritesWaitAndThenGoTogether() {
        ReplicaLanes<String> lanes = lanes(64, 1_000);
        for (String w : List.of("a", "b", "c", "d", "e")) {
            lanes.add("r1", w);
        }
        assertThat(lanes.next("r1")).as("the whole lane so far goes at once").containsExactly("a", "b", "c", "d", "e");
        lanes.add("r1", "f");
        assertThat(lanes.next("r1")).as("a second message has room").containsExactly("f");
        lanes.add("r1", "g");
        lanes.add("r1", "h");
        assertThat(lanes.next("r1")).as("two messages unanswered: the lane is full").isNull();
        lanes.add("r2", "x");
        assertThat(lanes.next("r2")).as("another replica's lane is its own").containsExactly("x");

        lanes.release("r1");
        assertThat(lanes.next("r1")).containsExactly("g", "h");
        assertThat(lanes.next("r1")).isNull();
    }

    @Test
    void aBatchStopsAtItsCountAndItsBytesButAWriteAloneAlwaysGoes() {
        ReplicaLanes<String> counted = lanes(2, 1_000);
        for (String w : List.of("a", "b", "c")) {
            counted.add("r1", w);
        }
        assertThat(counted.next("r1")).containsExactly("a", "b");
        assertThat(counted.next("r1")).containsExactly("c");

        ReplicaLanes<String> sized = lanes(64, 5);
        for (String w : List.of("aaa", "bb", "c", "dddddddd")) {
            sized.add("r1", w);
        }
        assertThat(sized.next("r1")).containsExactly("aaa", "bb");
        assertThat(sized.next("r1")).containsExactly("c");
        sized.release("r1");
        assertThat(sized.next("r1")).as("larger than a batch may be, it still goes, alone").containsExactly("dddddddd");
    }

    @Test
    void aWriteThatEndedWhileItWaitedIsDropped() {
        ReplicaLanes<String> lanes = lanes(64, 1_000);
        lanes.add("r1", "a");
        lanes.add("r1", "b");
        lanes.next("r1");
        lanes.next("r1");
        lanes.add("r1", "late");
        lanes.add("r1", "c");
        ended.add("late");
        lanes.release("r1");
        assertThat(lanes.next("r1")).containsExactly("c");
    }

    @Test
    void aMessageThatCouldNotBeSentGivesItsRoomBack() {
        ReplicaLanes<String> lanes = lanes(64, 1_000);
        lanes.add("r1", "a");
        lanes.next("r1");
        lanes.add("r1", "b");
        lanes.next("r1");
        lanes.release("r1"); // "b" could not be published
        lanes.add("r1", "c");
        assertThat(lanes.next("r1")).containsExactly("c");
        lanes.release("r1");
        lanes.release("r1");
        lanes.release("r1"); // more releases than messages: no room is invented
        lanes.add("r1", "d");
        lanes.add("r1", "e");
        assertThat(lanes.next("r1")).containsExactly("d", "e");
        lanes.add("r1", "f");
        assertThat(lanes.next("r1")).containsExactly("f");
        lanes.add("r1", "g");
        assertThat(lanes.next("r1")).isNull();
    }

    @Test
    void withoutBatchingNothingEverWaits() {
        ReplicaLanes<String> lanes = lanes(1, 1_000);
        for (String w : List.of("a", "b", "c")) {
            lanes.add("r1", w);
        }
        assertThat(lanes.next("r1")).containsExactly("a");
        assertThat(lanes.next("r1")).containsExactly("b");
        assertThat(lanes.next("r1")).containsExactly("c");
        lanes.clear();
        assertThat(lanes.next("r1")).isNull();
    }
}
