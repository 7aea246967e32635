package fulcrum.store;

import static fulcrum.store.Sample.R1;
import static fulcrum.store.Sample.R2;
import static fulcrum.store.Sample.R3;
import static fulcrum.store.Sample.add;
import static fulcrum.store.Sample.city;
import static fulcrum.store.Sample.clock;
import static fulcrum.store.Sample.list;
import static fulcrum.store.Sample.record;
import static fulcrum.store.Sample.refusal;
import static fulcrum.store.Sample.rename;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.PlanetClock;
import fulcrum.core.store.ReplicaStore;
import fulcrum.core.store.SnapshotPage;
import fulcrum.core.store.SnapshotView;
import fulcrum.core.store.StateScan;
import fulcrum.core.store.StoreBatch;
import fulcrum.core.store.StoreMeta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract, run against every {@link ReplicaStore}: the in-memory fake the simulations
 * use and the RocksDB store must agree on every case, or the simulations prove nothing.
 */
abstract class StoreContractTest {
    private static final Operation MOS_ESPA = add(R1, 1, "Tatooine", "Mos_Espa", 5, clock(1, 0, 0));
    private static final Operation ANCHORHEAD = add(R1, 2, "Tatooine", "Anchorhead", 2, clock(2, 0, 0));
    private static final Operation ECHO_BASE = add(R2, 1, "Hoth", "Echo_Base", 40, clock(0, 1, 0));
    private static final Operation RENAME = rename(R2, 2, "Tatooine", MOS_ESPA.cityId(), "Mos_Eisley", clock(2, 2, 0));
    private static final Operation REFUSAL = refusal(R3, 1, "Naboo", clock(0, 0, 0), "cmd-stale");

    ReplicaStore store;

    /** A new, empty store of replica {@link Sample#R1}. */
    abstract ReplicaStore create();

    /** The store as a restart finds it (the same object for a store that lives in memory). */
    abstract ReplicaStore reopen(ReplicaStore store);

    @BeforeEach
    void createStore() {
        store = create();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** What a node might commit after applying the five sample entries. */
    private static StoreBatch sample() {
        return new StoreBatch()
                .putPhase(Phase.SERVING).putIncarnation(1).putIncarnationStart(R1, new IncarnationStart(1, 1))
                .putClock("Tatooine", clock(2, 2, 0)).putClock("Hoth", clock(0, 1, 0))
                .putCity("Tatooine", city(MOS_ESPA, RENAME)).putCity("Tatooine", city(ANCHORHEAD))
                .putCity("Hoth", city(ECHO_BASE))
                .putNamedIds("Tatooine", "Mos_Eisley", List.of(MOS_ESPA.cityId()))
                .putNamedIds("Tatooine", "Anchorhead", List.of(ANCHORHEAD.cityId()))
                .putNamedIds("Hoth", "Echo_Base", List.of(ECHO_BASE.cityId()))
                .putOperation(MOS_ESPA).putOperation(ANCHORHEAD).putOperation(ECHO_BASE).putOperation(RENAME)
                .putOperation(REFUSAL)
                .putCommandRecords(MOS_ESPA.commandId(), List.of(record(MOS_ESPA))).putCommandRecords(ANCHORHEAD.commandId(), List.of(record(ANCHORHEAD)))
                .putCommandRecords(ECHO_BASE.commandId(), List.of(record(ECHO_BASE))).putCommandRecords(RENAME.commandId(), List.of(record(RENAME))).putCommandRecords(REFUSAL.commandId(), List.of(record(REFUSAL)))
                .putReply(MOS_ESPA.commandId(), Sample.ok("Tatooine", "Mos_Espa", clock(1, 0, 0)))
                .putReply("cmd-stale", Sample.stale("Hoth", "X"))
                .putAppliedSeq(R1, 2).putAppliedSeq(R2, 2).putAppliedSeq(R3, 1).putPublishedUpTo(1);
    }

    @Test
    void aNewStoreHoldsNothing() {
        assertThat(store.meta()).isEqualTo(StoreMeta.fresh(R1));
        assertThat(store.planetClock("Tatooine")).isNull();
        assertThat(store.city("Tatooine", "fulcrum-1:1")).isNull();
        assertThat(store.cityIdsNamed("Tatooine", "Mos_Espa")).isEmpty();
        assertThat(store.reply("cmd-1")).isNull();
        assertThat(store.commandRecords("cmd-1")).isEmpty();
        assertThat(store.operations(R1, 1, 10)).isEmpty();
        assertThat(list(((StateScan) store).planets())).isEmpty();
        try (SnapshotView view = store.openSnapshot()) {
            SnapshotPage page = view.page(null, 10);
            assertThat(page.size()).isZero();
            assertThat(page.last()).isTrue();
        }
    }

    @Test
    void readsWhatWasCommittedAndAgainAfterAReopen() {
        store.commit(sample());
        assertSample(store);
        store = reopen(store);
        assertSample(store);
    }

    private static void assertSample(ReplicaStore s) {
        assertThat(s.meta().phase()).isEqualTo(Phase.SERVING);
        assertThat(s.meta().incarnation()).isEqualTo(1);
        assertThat(s.meta().appliedSeq()).isEqualTo(new TreeMap<>(Map.of(R1, 2L, R2, 2L, R3, 1L)));
        assertThat(s.meta().publishedUpTo()).isEqualTo(1);
        assertThat(s.meta().incarnations()).containsExactlyEntriesOf(Map.of(R1, List.of(new IncarnationStart(1, 1))));
        assertThat(s.planetClock("Tatooine")).isEqualTo(clock(2, 2, 0));
        assertThat(s.planetClock("Naboo")).isNull();
        assertThat(s.city("Tatooine", MOS_ESPA.cityId())).isEqualTo(city(MOS_ESPA, RENAME));
        assertThat(s.city("Hoth", MOS_ESPA.cityId())).isNull();
        assertThat(s.cityIdsNamed("Tatooine", "Mos_Eisley")).containsExactly(MOS_ESPA.cityId());
        assertThat(s.cityIdsNamed("Tatooine", "Mos_Espa")).isEmpty();
        assertThat(s.operations(R1, 1, 10)).containsExactly(MOS_ESPA, ANCHORHEAD);
        assertThat(s.operations(R2, 2, 10)).containsExactly(RENAME);
        assertThat(s.operations(R3, 0, 10)).containsExactly(REFUSAL);
        assertThat(s.reply(MOS_ESPA.commandId())).isEqualTo(Sample.ok("Tatooine", "Mos_Espa", clock(1, 0, 0)));
        assertThat(s.reply("cmd-stale")).isEqualTo(Sample.stale("Hoth", "X"));
        assertThat(s.commandRecords("cmd-stale")).containsExactly(record(REFUSAL));
        assertThat(list(((StateScan) s).planets())).containsExactly(
                new Planet("Hoth", clock(0, 1, 0), new TreeMap<>(Map.of(ECHO_BASE.cityId(), city(ECHO_BASE)))),
                new Planet("Tatooine", clock(2, 2, 0), new TreeMap<>(Map.of(
                        MOS_ESPA.cityId(), city(MOS_ESPA, RENAME), ANCHORHEAD.cityId(), city(ANCHORHEAD)))));
    }

    @Test
    void aLaterPutOfTheSameKeyInOneBatchWins() {
        Operation update = new Operation(R1, 1, 2, "Tatooine", OpKind.UpdateNumber,
                MOS_ESPA.cityId(), null, 9L, clock(2, 0, 0), "cmd-9");
        store.commit(new StoreBatch()
                .putClock("Tatooine", clock(1, 0, 0)).putClock("Tatooine", clock(2, 0, 0))
                .putCity("Tatooine", city(MOS_ESPA)).putCity("Tatooine", city(MOS_ESPA, update))
                .putNamedIds("Tatooine", "Mos_Espa", List.of(MOS_ESPA.cityId()))
                .putNamedIds("Tatooine", "Mos_Espa", List.of())
                .putNamedIds("Tatooine", "Anchorhead", List.of())
                .putNamedIds("Tatooine", "Anchorhead", List.of(ANCHORHEAD.cityId()))
                .putReply("cmd-1", Sample.stale("Tatooine", "Mos_Espa"))
                .putReply("cmd-1", Sample.ok("Tatooine", "Mos_Espa", clock(1, 0, 0)))
                .putCommandRecords(MOS_ESPA.commandId(), List.of(record(MOS_ESPA)))
                .putCommandRecords(MOS_ESPA.commandId(), List.of(
                        new CommandRecord(MOS_ESPA.commandId(), R1, 1, "Tatooine", MOS_ESPA.kind(), clock(1, 1, 0)))));
        assertThat(store.planetClock("Tatooine")).isEqualTo(clock(2, 0, 0));
        assertThat(store.city("Tatooine", MOS_ESPA.cityId()).rebels().value()).isEqualTo(9L);
        assertThat(store.cityIdsNamed("Tatooine", "Mos_Espa")).isEmpty();
        assertThat(store.cityIdsNamed("Tatooine", "Anchorhead")).containsExactly(ANCHORHEAD.cityId());
        assertThat(store.reply("cmd-1").ok()).isTrue();
        assertThat(store.commandRecords(MOS_ESPA.commandId())).extracting(CommandRecord::clock)
                .containsExactly(clock(1, 1, 0));
    }

    @Test
    void theNameIndexFilesSeveralCitiesUnderOneNameSortedAndAnEmptyEntryGoes() {
        store.commit(new StoreBatch()
                .putNamedIds("Tatooine", "Mos", List.of("fulcrum-2:7", "fulcrum-1:3", "fulcrum-2:7"))
                .putNamedIds("Tatooine", "Mos_Espa", List.of("fulcrum-1:1"))
                .putNamedIds("Tatooine/b", "Mos", List.of("fulcrum-3:1"))
                .putNamedIds("Tatooine:b", "Mos", List.of("fulcrum-3:2")));
        assertThat(store.cityIdsNamed("Tatooine", "Mos")).containsExactly("fulcrum-1:3", "fulcrum-2:7");
        assertThat(store.cityIdsNamed("Tatooine", "Mos_Espa")).containsExactly("fulcrum-1:1");
        assertThat(store.cityIdsNamed("Tatooine/b", "Mos")).containsExactly("fulcrum-3:1");
        assertThat(store.cityIdsNamed("Tatooine:b", "Mos")).containsExactly("fulcrum-3:2");
        assertThat(store.cityIdsNamed("Tatooine", "Mo")).isEmpty();

        store.commit(new StoreBatch().putNamedIds("Tatooine", "Mos", List.of("fulcrum-1:3"))
                .putNamedIds("Tatooine", "Mos_Espa", List.of()));
        store = reopen(store);
        assertThat(store.cityIdsNamed("Tatooine", "Mos")).containsExactly("fulcrum-1:3");
        assertThat(store.cityIdsNamed("Tatooine", "Mos_Espa")).isEmpty();
    }

    @Test
    void planetsWhoseNamesPrefixEachOtherKeepTheirOwnCities() {
        Operation a = add(R1, 1, "A", "X", 1, clock(1, 0, 0));
        Operation ab = add(R1, 2, "A/b", "X", 2, clock(2, 0, 0));
        store.commit(new StoreBatch().putClock("A", a.clock()).putClock("A/b", ab.clock())
                .putCity("A", city(a)).putCity("A/b", city(ab)));
        assertThat(list(((StateScan) store).planets())).extracting(Planet::name, p -> p.cities().keySet())
                .containsExactly(tuple("A", Set.of(a.cityId())),
                        tuple("A/b", Set.of(ab.cityId())));
        assertThat(store.city("A", ab.cityId())).isNull();
    }

    @Test
    void clearDataKeepsTheIdentityAndTheOpLogAndStartsTheRestOfTheBatchFromNothing() {
        store.commit(sample().putPhase(Phase.JOINING).putIncarnation(2));
        java.util.SortedMap<String, java.util.List<IncarnationStart>> keptStarts = store.meta().incarnations();
        Operation theed = add(R3, 4, "Naboo", "Theed", 12, clock(0, 0, 4));
        store.commit(new StoreBatch().clearData().putClock("Naboo", theed.clock()).putCity("Naboo", city(theed))
                .putOperation(theed).putAppliedSeq(R3, 4).compact(R3, 3));
        store = reopen(store);
        // incarnation starts and what compaction deleted survive a clear, with the op log
        assertThat(store.meta()).isEqualTo(new StoreMeta(R1, Phase.JOINING, 2, new TreeMap<>(Map.of(R3, 4L)),
                new TreeMap<>(Map.of(R3, 3L)), 0, keptStarts, new TreeMap<>(Map.of(R3, 3L))));
        assertThat(store.planetClock("Tatooine")).isNull();
        assertThat(store.city("Tatooine", MOS_ESPA.cityId())).isNull();
        assertThat(store.cityIdsNamed("Tatooine", "Mos_Eisley")).isEmpty();
        // the op log stays: entries taken from the merge queue are held whatever becomes of the state
        assertThat(store.operations(R1, 1, 10)).isNotEmpty();
        assertThat(store.operations(R3, 1, 10)).containsExactly(theed);
        assertThat(store.reply("cmd-stale")).isNull();
        assertThat(store.commandRecords("cmd-stale")).isEmpty();
        assertThat(list(((StateScan) store).planets())).extracting(Planet::name).containsExactly("Naboo");
    }

    @Test
    void compactionDeletesTheOpRangeAndOnlyRaisesTheFloor() {
        StoreBatch batch = new StoreBatch();
        List<Operation> log = new ArrayList<>();
        for (int seq = 1; seq <= 5; seq++) {
            Operation op = add(R2, seq, "Hoth", "City" + seq, seq, clock(0, seq, 0));
            log.add(op);
            batch.putOperation(op);
        }
        // an origin whose id extends another's must not share its log
        Operation other = add("fulcrum-22", 1, "Hoth", "Other", 1, clock(0, 0, 0).increment("fulcrum-22"));
        store.commit(batch.putOperation(other).putAppliedSeq(R2, 5).putAppliedSeq("fulcrum-22", 1));

        assertThat(store.operations(R2, 1, 10)).isEqualTo(log);
        assertThat(store.operations(R2, 0, 2)).isEqualTo(log.subList(0, 2));
        assertThat(store.operations(R2, 4, 10)).isEqualTo(log.subList(3, 5));
        assertThat(store.operations(R2, 6, 10)).isEmpty();
        assertThat(store.operations(R2, 1, 0)).isEmpty();

        store.commit(new StoreBatch().compact(R2, 3));
        store.commit(new StoreBatch().compact(R2, 2));
        store = reopen(store);
        assertThat(store.meta().compacted(R2)).isEqualTo(3);
        assertThat(store.operations(R2, 1, 10)).isEqualTo(log.subList(3, 5));
        assertThat(store.operations("fulcrum-22", 1, 10)).containsExactly(other);
    }

    @Test
    void commandRecordsOfOneIdComeOnePerOriginSortedByOrigin() {
        CommandRecord at3 = new CommandRecord("cmd-x", R3, 4, "Naboo", OpKind.Refusal, clock(0, 0, 4));
        CommandRecord at1 = new CommandRecord("cmd-x", R1, 7, "Hoth", OpKind.AddCity, clock(7, 0, 0));
        CommandRecord longer = new CommandRecord("cmd-xy", R2, 1, "Hoth", OpKind.AddCity, clock(0, 1, 0));
        store.commit(new StoreBatch().putCommandRecords("cmd-x", List.of(at3, at1)).putCommandRecords("cmd-xy", List.of(longer)));
        store = reopen(store);
        assertThat(store.commandRecords("cmd-x")).containsExactly(at1, at3);
        assertThat(store.commandRecords("cmd-xy")).containsExactly(longer);
        assertThat(store.commandRecords("cmd")).isEmpty();
    }

    @Test
    void theOpLogHoldsEntriesBeyondTheAppliedMarkAndDropsOneOnRequest() {
        store.commit(sample());
        Operation ahead = add(R2, 3, "Hoth", "Outpost", 1, clock(0, 3, 0));
        store.commit(new StoreBatch().putOperation(ahead));
        assertThat(store.lastOperationSeq(R2)).isEqualTo(3);
        assertThat(store.meta().applied(R2)).isLessThan(3);
        store = reopen(store);
        assertThat(store.operations(R2, 3, 10)).containsExactly(ahead);
        store.commit(new StoreBatch().dropOperation(R2, 3));
        assertThat(store.operations(R2, 3, 10)).isEmpty();
        assertThat(store.lastOperationSeq("fulcrum-9")).isZero();
    }

    @Test
    void aRaisedFloorDeletesNothing() {
        store.commit(sample());
        long applied = store.meta().applied(R1);
        List<Operation> held = store.operations(R1, 1, 100);
        store.commit(new StoreBatch().raiseFloor(R1, applied));
        store = reopen(store);
        assertThat(store.meta().compacted(R1)).isEqualTo(applied);
        assertThat(store.operations(R1, 1, 100)).isEqualTo(held);
    }

    @Test
    void incarnationStartsAccumulateInOrderAndRefuseAConflict() {
        store.commit(new StoreBatch().putAppliedSeq(R2, 12).putIncarnationStart(R2, new IncarnationStart(2, 10)));
        store.commit(new StoreBatch().putIncarnationStart(R2, new IncarnationStart(1, 1)));
        store.commit(new StoreBatch().putIncarnationStart(R2, new IncarnationStart(2, 10)));
        store = reopen(store);
        assertThat(store.meta().incarnations().get(R2))
                .containsExactly(new IncarnationStart(1, 1), new IncarnationStart(2, 10));
        assertThatThrownBy(() -> store.commit(new StoreBatch().putIncarnationStart(R2, new IncarnationStart(3, 10))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not increasing");
        assertThatThrownBy(() -> store.commit(new StoreBatch().putIncarnationStart(R2, new IncarnationStart(1, 11))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("starts twice");
    }

    @Test
    void aBatchThatBreaksAnInvariantIsRefusedWhole() {
        store.commit(sample());
        StoreMeta before = store.meta();
        Operation beyond = add(R1, 3, "Hoth", "Beyond", 1, clock(3, 1, 0));
        assertThatThrownBy(() -> store.commit(new StoreBatch().putCity("Hoth", city(beyond)).putAppliedSeq(R2, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("go back");
        assertThatThrownBy(() -> store.commit(new StoreBatch().putPublishedUpTo(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("published");
        store = reopen(store);
        assertThat(store.meta()).isEqualTo(before);
        assertThat(store.planetClock("Hoth")).isEqualTo(clock(0, 1, 0));
        assertThat(store.city("Hoth", beyond.cityId())).isNull();
    }

    @Test
    void aGroupCommitLeavesWhatTheBatchesCommittedOneByOneLeave() {
        CommandRecord first = new CommandRecord("cmd-x", R1, 1, "Hoth", OpKind.AddCity, clock(1, 0, 0));
        CommandRecord second = new CommandRecord("cmd-x", R2, 1, "Hoth", OpKind.AddCity, clock(1, 1, 0));
        store.commitAll(List.of(
                new StoreBatch().putNamedIds("Tatooine", "Mos", List.of("fulcrum-1:1")).putCommandRecords("cmd-x", List.of(first)).putAppliedSeq(R1, 1),
                new StoreBatch(),
                new StoreBatch().putNamedIds("Tatooine", "Mos", List.of("fulcrum-1:1", "fulcrum-2:1")).putCommandRecords("cmd-x", List.of(first, second))
                        .putAppliedSeq(R2, 1),
                new StoreBatch().putNamedIds("Tatooine", "Mos", List.of("fulcrum-2:1"))));
        store = reopen(store);
        assertThat(store.cityIdsNamed("Tatooine", "Mos")).as("each batch built on the one before it").containsExactly("fulcrum-2:1");
        assertThat(store.commandRecords("cmd-x")).containsExactly(first, second);
        assertThat(store.meta().appliedSeq()).containsEntry(R1, 1L).containsEntry(R2, 1L);
    }

    @Test
    void aGroupWithABatchThatBreaksAnInvariantIsRefusedWhole() {
        store.commit(sample());
        StoreMeta before = store.meta();
        assertThatThrownBy(() -> store.commitAll(List.of(new StoreBatch().putNamedIds("Hoth", "Outpost", List.of("fulcrum-1:9")),
                new StoreBatch().putPublishedUpTo(3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("published");
        store = reopen(store);
        assertThat(store.meta()).isEqualTo(before);
        assertThat(store.cityIdsNamed("Hoth", "Outpost")).isEmpty();
    }

    @Test
    void aSnapshotStaysTheSameWhileCommitsGoOn() {
        store.commit(sample());
        StoreMeta atOpen = store.meta();
        List<Object> expected = new ArrayList<>(List.of(
                new PlanetClock("Hoth", clock(0, 1, 0)), new PlanetClock("Tatooine", clock(2, 2, 0)),
                new CityEntry("Hoth", city(ECHO_BASE)),
                new CityEntry("Tatooine", city(MOS_ESPA, RENAME)), new CityEntry("Tatooine", city(ANCHORHEAD))));
        List.of(MOS_ESPA, ANCHORHEAD, ECHO_BASE, RENAME, REFUSAL).stream().map(Sample::record)
                .sorted(Comparator.comparing(CommandRecord::commandId).thenComparing(CommandRecord::origin))
                .forEach(expected::add);
        try (SnapshotView view = store.openSnapshot()) {
            SnapshotPage first = view.page(null, 3);
            assertThat(first.size()).isEqualTo(3);
            assertThat(first.last()).isFalse();
            store.commit(new StoreBatch().putClock("Alderaan", clock(3, 2, 0)).putAppliedSeq(R1, 3));
            store.commit(new StoreBatch().clearData());
            List<Object> items = items(first);
            for (String cursor = first.nextCursor(); cursor != null; ) {
                SnapshotPage page = view.page(cursor, 3);
                assertThat(page.size()).isBetween(1, 3);
                items.addAll(items(page));
                cursor = page.nextCursor();
            }
            assertThat(items).isEqualTo(expected);
            assertThat(view.meta()).isEqualTo(atOpen);
            for (int size = 1; size <= expected.size() + 1; size++) {
                assertThat(readAll(view, size)).as("pages of %d", size).isEqualTo(expected);
            }
        }
        assertThat(store.planetClock("Hoth")).isNull();
    }

    @Test
    void aSnapshotRefusesACursorItDidNotMake() {
        store.commit(sample());
        try (SnapshotView view = store.openSnapshot()) {
            String cursor = view.page(null, 1).nextCursor();
            assertThat(view.page(cursor, 1).size()).isEqualTo(1);
            assertThatThrownBy(() -> view.page("not a cursor!", 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> view.page("-1", 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> view.page(null, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    static List<Object> readAll(SnapshotView view, int size) {
        List<Object> items = new ArrayList<>();
        String cursor = null;
        do {
            SnapshotPage page = view.page(cursor, size);
            assertThat(page.size()).isLessThanOrEqualTo(size);
            items.addAll(items(page));
            cursor = page.nextCursor();
        } while (cursor != null);
        return items;
    }

    private static List<Object> items(SnapshotPage page) {
        List<Object> items = new ArrayList<>(page.clocks());
        items.addAll(page.cities());
        items.addAll(page.commands());
        return items;
    }
}
