package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.SnapshotView;
import fulcrum.core.store.StateReader;
import fulcrum.core.store.StoreBatch;
import fulcrum.core.store.StoreMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The view's answers for cities and name entries, kept across commits, and for command records,
 * kept until the next commit: always what the store holds under the uncommitted batches, and read
 * from the store once, not at every write.
 */
class StateViewTest {
    private static final String PLANET = "Tatooine";

    /** A store that counts the city and name reads that reach it. */
    private static final class CountingReader implements StateReader {
        final MemoryStore store = new MemoryStore("fulcrum-1");
        int cityReads;
        int nameReads;
        int recordReads;

        @Override
        public StoreMeta meta() {
            return store.meta();
        }

        @Override
        public VectorClock planetClock(String planet) {
            return store.planetClock(planet);
        }

        @Override
        public City city(String planet, String cityId) {
            cityReads++;
            return store.city(planet, cityId);
        }

        @Override
        public List<String> cityIdsNamed(String planet, String name) {
            nameReads++;
            return store.cityIdsNamed(planet, name);
        }

        @Override
        public Reply reply(String commandId) {
            return store.reply(commandId);
        }

        @Override
        public List<CommandRecord> commandRecords(String commandId) {
            recordReads++;
            return store.commandRecords(commandId);
        }

        @Override
        public List<Operation> operations(String origin, long fromSeq, int limit) {
            return store.operations(origin, fromSeq, limit);
        }

        @Override
        public long lastOperationSeq(String origin) {
            return store.lastOperationSeq(origin);
        }

        @Override
        public SnapshotView openSnapshot() {
            return store.openSnapshot();
        }
    }

    private static long seq;

    private static City city(String id, String name, long rebels) {
        Operation add = new Operation("fulcrum-1", 7, ++seq, PLANET, OpKind.AddCity, id, name, rebels,
                VectorClock.of(Map.of("fulcrum-1", seq)), "cmd-" + seq);
        return City.applying(null, add);
    }

    private static void write(StateView view, String id, String name, long rebels) {
        view.putCity(PLANET, view.city(PLANET, id), city(id, name, rebels));
    }

    private static void commitOldest(StateView view, CountingReader reader, List<StoreBatch> taken) {
        StoreBatch oldest = taken.remove(0);
        reader.store.commit(oldest);
        view.committed(oldest);
    }

    private static void writeAndCommit(StateView view, CountingReader reader, List<StoreBatch> taken, String id, String name,
                                       long rebels) {
        write(view, id, name, rebels);
        taken.add(view.take());
        commitOldest(view, reader, taken);
    }

    @Test
    void aCommittedCityAndItsNameAreServedWithoutReadingTheStoreAgain() {
        CountingReader reader = new CountingReader();
        StateView view = new StateView(reader);
        List<StoreBatch> taken = new ArrayList<>();
        writeAndCommit(view, reader, taken, "fulcrum-1:1", "Mos_Eisley", 5);
        int beforeFirstRead = reader.cityReads;
        view.city(PLANET, "fulcrum-1:1");
        view.cityIdsNamed(PLANET, "Mos_Eisley");
        assertThat(reader.cityReads).as("a city new in the last commit is read once more").isEqualTo(beforeFirstRead + 1);
        int cityReads = reader.cityReads;
        int nameReads = reader.nameReads;

        for (int i = 0; i < 10; i++) {
            assertThat(view.city(PLANET, "fulcrum-1:1")).isEqualTo(reader.store.city(PLANET, "fulcrum-1:1"));
            assertThat(view.cityIdsNamed(PLANET, "Mos_Eisley")).containsExactly("fulcrum-1:1");
            writeAndCommit(view, reader, taken, "fulcrum-1:1", "Mos_Eisley", 6 + i);
        }
        assertThat(reader.cityReads).as("city reads once the city is known").isEqualTo(cityReads);
        assertThat(reader.nameReads).as("name reads once the name is known").isEqualTo(nameReads);
        assertThat(view.city(PLANET, "fulcrum-1:1").rebels().value()).isEqualTo(15L);
    }

    @Test
    void aWriteReadsItsCommandRecordsOnceAndTheCommitWritesThemWhole() {
        CountingReader reader = new CountingReader();
        StateView view = new StateView(reader);
        List<StoreBatch> taken = new ArrayList<>();
        CommandRecord refused = new CommandRecord("cmd-9", "fulcrum-2", 4, PLANET, OpKind.Refusal, VectorClock.of(Map.of("fulcrum-2", 4L)));
        view.putCommandRecord(refused);
        taken.add(view.take());
        commitOldest(view, reader, taken);
        int reads = reader.recordReads;

        assertThat(view.commandRecords("cmd-9")).as("a client's write asks whether it was applied").containsExactly(refused);
        CommandRecord applied = new CommandRecord("cmd-9", "fulcrum-1", 12, PLANET, OpKind.AddCity, VectorClock.of(Map.of("fulcrum-1", 12L)));
        view.putCommandRecord(applied);
        assertThat(reader.recordReads).as("recording it reads nothing more").isEqualTo(reads + 1);
        StoreBatch batch = view.take();
        assertThat(batch.commandRecords()).containsExactly(Map.entry("cmd-9", List.of(applied, refused)));
        taken.add(batch);
        commitOldest(view, reader, taken);
        assertThat(reader.store.commandRecords("cmd-9")).containsExactly(applied, refused);
        assertThat(view.commandRecords("cmd-9")).as("after the commit the store is read again").containsExactly(applied, refused);
        assertThat(reader.recordReads).isEqualTo(reads + 2);
    }

    @Test
    void aCommittedClearForgetsWhatWasKept() {
        CountingReader reader = new CountingReader();
        StateView view = new StateView(reader);
        List<StoreBatch> taken = new ArrayList<>();
        writeAndCommit(view, reader, taken, "fulcrum-1:1", "Mos_Eisley", 5);
        assertThat(view.city(PLANET, "fulcrum-1:1")).isNotNull();

        view.clearData();
        writeAndCommit(view, reader, taken, "fulcrum-1:2", "Anchorhead", 1);

        assertThat(view.city(PLANET, "fulcrum-1:1")).as("cleared").isNull();
        assertThat(view.cityIdsNamed(PLANET, "Mos_Eisley")).isEmpty();
        assertThat(view.city(PLANET, "fulcrum-1:2")).isEqualTo(reader.store.city(PLANET, "fulcrum-1:2"));
    }

    /**
     * Random writes, renames, clears, takes and commits, in any interleaving: every answer of the
     * view equals the store's under the batches not yet committed (checked once all are committed).
     */
    @Property(tries = 300)
    void theViewAlwaysAnswersWhatTheStoreHolds(@ForAll long seed) {
        randomSteps(seed, NodeConfig.MAX_KEPT_ANSWERS);
    }

    /** The same with room for three answers: they come and go all the time (the eldest first). */
    @Property(tries = 300)
    void theViewAlwaysAnswersWhatTheStoreHoldsWhenFewAnswersAreKept(@ForAll long seed) {
        randomSteps(seed, 3);
    }

    @Test
    void pastTheBoundTheEldestAnswerGoesAndTheOthersStay() {
        CountingReader reader = new CountingReader();
        StateView view = new StateView(reader, 2);
        List<StoreBatch> taken = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            writeAndCommit(view, reader, taken, "fulcrum-1:" + i, "city" + i, i);
        }
        view.city(PLANET, "fulcrum-1:1");
        view.city(PLANET, "fulcrum-1:2");
        view.city(PLANET, "fulcrum-1:3"); // the third answer: the first goes
        int reads = reader.cityReads;

        view.city(PLANET, "fulcrum-1:2");
        view.city(PLANET, "fulcrum-1:3");
        assertThat(reader.cityReads).as("the two latest answers are kept").isEqualTo(reads);
        assertThat(view.city(PLANET, "fulcrum-1:1")).isEqualTo(reader.store.city(PLANET, "fulcrum-1:1"));
        assertThat(reader.cityReads).as("the eldest was read again").isEqualTo(reads + 1);
    }

    private static void randomSteps(long seed, int maxKeptAnswers) {
        Random random = new Random(seed);
        CountingReader reader = new CountingReader();
        StateView view = new StateView(reader, maxKeptAnswers);
        List<StoreBatch> taken = new ArrayList<>();
        String[] names = {"Mos_Eisley", "Anchorhead", "Mos_Espa", "Bestine"};
        Map<String, java.util.TreeSet<CommandRecord>> recorded = new java.util.HashMap<>(); // every record put since the last clear
        for (int step = 0; step < 200; step++) {
            int action = random.nextInt(10);
            if (action < 3) {
                CommandRecord r = new CommandRecord("cmd-" + random.nextInt(4), "fulcrum-" + (1 + random.nextInt(3)),
                        1 + random.nextInt(3), PLANET, OpKind.AddCity, VectorClock.of(Map.of("fulcrum-1", (long) step + 1)));
                view.putCommandRecord(r);
                java.util.TreeSet<CommandRecord> records = recorded.computeIfAbsent(r.commandId(), c -> new java.util.TreeSet<>(StoreBatch.RECORD_ORDER));
                records.remove(r); // the same entry recorded again: its newest record
                records.add(r);
            } else if (action < 6) {
                String id = "fulcrum-1:" + random.nextInt(6);
                write(view, id, names[random.nextInt(names.length)], random.nextInt(100));
            } else if (action == 6 && random.nextInt(8) == 0) {
                view.clearData();
                recorded.clear();
            } else if (action < 8) {
                taken.add(view.take());
            } else if (action == 8 && !taken.isEmpty()) {
                commitOldest(view, reader, taken);
            } else if (action == 9) {
                taken.add(view.take());
                while (!taken.isEmpty()) {
                    commitOldest(view, reader, taken);
                }
                assertAgrees(view, reader.store, names);
            }
            for (int c = 0; c < 4; c++) {
                java.util.TreeSet<CommandRecord> expected = recorded.getOrDefault("cmd-" + c, new java.util.TreeSet<>(StoreBatch.RECORD_ORDER));
                assertThat(view.commandRecords("cmd-" + c)).as("records of cmd-" + c + " at step " + step).containsExactlyElementsOf(expected);
            }
        }
        taken.add(view.take());
        while (!taken.isEmpty()) {
            commitOldest(view, reader, taken);
        }
        assertAgrees(view, reader.store, names);
    }

    /** Once every batch is committed. */
    private static void assertAgrees(StateView view, MemoryStore store, String[] names) {
        for (int i = 0; i < 6; i++) {
            String id = "fulcrum-1:" + i;
            assertThat(view.city(PLANET, id)).as(id).isEqualTo(store.city(PLANET, id));
        }
        for (String name : names) {
            assertThat(view.cityIdsNamed(PLANET, name)).as(name).isEqualTo(store.cityIdsNamed(PLANET, name));
        }
        for (int c = 0; c < 4; c++) {
            assertThat(view.commandRecords("cmd-" + c)).as("cmd-" + c).isEqualTo(store.commandRecords("cmd-" + c));
        }
    }
}
