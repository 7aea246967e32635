package fulcrum.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.OpKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A command id's records go into a batch whole: sorted, and refused when they cannot all be that id's. */
class StoreBatchTest {
    private static CommandRecord record(String commandId, String origin, long seq) {
        return new CommandRecord(commandId, origin, seq, "Hoth", OpKind.AddCity, VectorClock.of(Map.of(origin, seq)));
    }

    @Test
    void aCommandIdsRecordsAreKeptSortedByOriginThenSequence() {
        CommandRecord late = record("cmd-1", "fulcrum-2", 10);
        CommandRecord early = record("cmd-1", "fulcrum-2", 9);
        CommandRecord first = record("cmd-1", "fulcrum-1", 30);
        StoreBatch batch = new StoreBatch().putCommandRecords("cmd-1", List.of(late, first, early));
        assertThat(batch.commandRecords().get("cmd-1")).containsExactly(first, early, late);
    }

    @Test
    void recordsThatCannotAllBeTheIdsWholeListAreRefused() {
        StoreBatch batch = new StoreBatch();
        assertThatThrownBy(() -> batch.putCommandRecords("cmd-1", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> batch.putCommandRecords("cmd-1", List.of(record("cmd-2", "fulcrum-1", 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cmd-2");
        assertThatThrownBy(() -> batch.putCommandRecords("cmd-1", List.of(record("cmd-1", "fulcrum-1", 1), record("cmd-1", "fulcrum-1", 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two records");
        assertThat(batch.isEmpty()).as("nothing of a refused list is kept").isTrue();
    }
}
