package fulcrum.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fulcrum.common.cli.CliRunner;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Planet;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.WriteRouting;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreMeta;
import fulcrum.informant.InformantMain;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import fulcrum.testkit.TestBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that lost its disk rejoins: three worker JVMs and the router on a private RabbitMQ
 * node, in the default eager replication (an acknowledged write is in every peer's merge queue).
 * The replica starts on an empty directory under a new incarnation, copies a snapshot from a peer,
 * catches up its own previous stream from its peers, and only then serves, numbering its new entries
 * on after the highest its peers hold: no entry id is used twice, no acknowledged write is lost, no
 * command is applied twice, and the replicas converge to identical stores.
 */
class RejoinTest {
    private static final List<String> WORKER_ARGS = List.of("--status-interval", "300ms");
    private static final String LOST = "fulcrum-2";

    @TempDir
    Path tmp;

    /**
     * Kill -9 fulcrum-2 while sessions and --no-session clients write continuously to many cities
     * on several planets, delete its data directory, start it again: it rejoins and serves, and after
     * the load stops and a MergeNow round every acknowledged write is in every store exactly once,
     * the dumps and clocks are identical, and fulcrum-2's new incarnation numbers on exactly after
     * its previous stream as its peers held it.
     */
    @Test
    void aReplicaWhoseDiskIsLostUnderLoadRejoinsLosesNoAcknowledgedWriteAndNumbersOnAfterItsPeers() throws Exception {
        String uri = TestBroker.freshVirtualHost("rejoin-load");
        long startedAt = System.nanoTime();
        try (Cluster cluster = new Cluster(uri, 3, tmp).startAll(WORKER_ARGS);
             ReplicationProbe probe = new ReplicationProbe(uri, 3);
             WriteLoad load = new WriteLoad(uri).start(3, 2, 20261130)) {
            List<String> ids = cluster.replicaIds();
            // enough history that both peers compacted some of it: their op logs cannot give it back,
            // so the rejoining replica can only get that state from a snapshot
            await("load and compaction before the kill").atMost(ReplicationProbe.WAIT)
                    .until(() -> load.answered() >= 300 && load.answeredBy(LOST, startedAt) >= 20
                            && compacted(probe, "fulcrum-1", "fulcrum-1") && compacted(probe, "fulcrum-3", "fulcrum-1"));

            long killedAt = System.nanoTime();
            cluster.kill9(LOST);
            StoreMeta lostMeta;
            try (ReadOnlyRocksStore dead = RocksStore.openReadOnly(cluster.dataDir(LOST))) {
                lostMeta = dead.meta();
            }
            deleteRecursively(cluster.dataDir(LOST));
            int answeredAtKill = load.answered();
            cluster.startWorker(LOST, Map.of(), WORKER_ARGS);
            cluster.awaitServing(LOST);
            long servingAgainAt = System.nanoTime();
            assertThat(cluster.process(LOST).output()).contains("new store: joining the cluster as incarnation");
            assertThat(probe.heard).as("%s announced its join under a new incarnation", LOST)
                    .anyMatch(st -> st.replica().equals(LOST) && st.phase() == Phase.JOINING && st.join() != null
                            && st.incarnation() != lostMeta.incarnation());

            await("load after the rejoin").atMost(ReplicationProbe.WAIT)
                    .until(() -> load.answered() >= answeredAtKill + 200 && load.answeredBy(LOST, servingAgainAt) >= 20);
            load.stopAndJoin();
            assertThat(load.problems()).isEmpty();
            List<WriteLoad.Outcome> outcomes = load.outcomes();
            System.out.printf("rejoin under load: %d writes answered (%d before the kill), %s wrote #%d before it%n",
                    outcomes.size(), answeredAtKill, LOST, lostMeta.applied(LOST));

            probe.mergeNow();
            Map<String, Long> converged = probe.awaitConverged(ids, v -> true);
            cluster.stop(Cluster.ROUTER);
            List<String> dumps = cluster.stopWorkersAndDump();
            assertThat(dumps.get(1)).as("fulcrum-2's dump").isEqualTo(dumps.get(0));
            assertThat(dumps.get(2)).as("fulcrum-3's dump").isEqualTo(dumps.get(0));
            assertThat(probe.deadLetters()).as("nothing refused between the replicas (no entry id reused)").isZero();

            for (String id : ids) {
                try (ReadOnlyRocksStore store = RocksStore.openReadOnly(cluster.dataDir(id))) {
                    assertThat(store.meta().appliedSeq()).as(id).isEqualTo(converged);
                    Map<String, List<CommandRecord>> records = recordsByCommand(store);
                    assertEveryAcknowledgedWriteAppliedOnce(id, outcomes, records);
                    assertNumberedOn(id, store.meta(), records, lostMeta, outcomes, killedAt, servingAgainAt);
                    assertSessionWritersLastValues(id, store, outcomes);
                }
            }
        }
    }

    /**
     * The issue's scenario: three replicas, six writes, converged; everything stopped; fulcrum-1's
     * data directory deleted; everything started again. fulcrum-1 rejoins and converges, and a new
     * --no-session write that fulcrum-1 accepts (its id routes to fulcrum-1 first) numbers on after
     * its two earlier writes and reaches the other two.
     */
    @Test
    void theIssuesScenarioFulcrumOneLosesItsDataWhileTheClusterIsDownAndRejoins() throws Exception {
        String uri = TestBroker.freshVirtualHost("rejoin-issue");
        try (Cluster cluster = new Cluster(uri, 3, tmp).startAll(WORKER_ARGS);
             ReplicationProbe probe = new ReplicationProbe(uri, 3)) {
            List<String> ids = cluster.replicaIds();
            for (String id : ids) {
                assertThat(probe.call(id, Command.addCity("Tatooine", "City_of_" + id, 1)).ok()).isTrue();
                assertThat(probe.call(id, Command.updateNumber("Tatooine", "City_of_" + id, 2)).ok()).isTrue();
            }
            probe.awaitConverged(ids, v -> v.equals(Map.of("fulcrum-1", 2L, "fulcrum-2", 2L, "fulcrum-3", 2L)));
            long oldIncarnation = probe.status.get("fulcrum-1").incarnation();

            cluster.stop(Cluster.ROUTER);
            ids.forEach(cluster::stop);
            deleteRecursively(cluster.dataDir("fulcrum-1"));
            probe.status.clear();
            cluster.startAll(WORKER_ARGS);
            Map<String, Long> rejoined = probe.awaitConverged(ids, v -> true);
            assertThat(rejoined).isEqualTo(Map.of("fulcrum-1", 2L, "fulcrum-2", 2L, "fulcrum-3", 2L));
            assertThat(probe.status.get("fulcrum-1").incarnation()).isNotEqualTo(oldIncarnation);
            for (String id : ids) {
                Reply read = probe.call(id, Command.getNumberRebelds("Tatooine", "City_of_fulcrum-1"));
                assertThat(read.rebels()).as(id).isEqualTo(2);
                assertThat(read.clock().toString()).as(id).isEqualTo("[2,2,2]");
            }

            String commandId = idRoutedFirstTo("fulcrum-1", ids);
            Reply write = informantNoSession(uri, commandId, "AddCity", "Tatooine", "Mos_Espa", "5");
            assertThat(write.ok()).as(String.valueOf(write)).isTrue();
            assertThat(write.replica()).isEqualTo("fulcrum-1");
            assertThat(write.clock().toString()).isEqualTo("[3,2,2]");
            probe.awaitConverged(ids, v -> v.equals(Map.of("fulcrum-1", 3L, "fulcrum-2", 2L, "fulcrum-3", 2L)));
            for (String id : List.of("fulcrum-2", "fulcrum-3")) {
                Reply read = probe.call(id, Command.getNumberRebelds("Tatooine", "Mos_Espa"));
                assertThat(read.rebels()).as(id).isEqualTo(5);
                assertThat(read.clock().toString()).as(id).isEqualTo("[3,2,2]");
            }

            cluster.stop(Cluster.ROUTER);
            List<String> dumps = cluster.stopWorkersAndDump();
            assertThat(dumps.get(1)).isEqualTo(dumps.get(0));
            assertThat(dumps.get(2)).isEqualTo(dumps.get(0));
            assertThat(dumps.get(0)).contains("applied [3,2,2]\n", "Tatooine clock [3,2,2]\n", "Tatooine Mos_Espa 5\n");
            for (String id : ids) {
                try (ReadOnlyRocksStore store = RocksStore.openReadOnly(cluster.dataDir(id))) {
                    assertThat(store.commandRecords(commandId)).as(id).singleElement().satisfies(r -> {
                        assertThat(r.origin()).isEqualTo("fulcrum-1");
                        assertThat(r.originSeq()).as("after fulcrum-1's #1..#2 of its lost life").isEqualTo(3);
                    });
                    List<IncarnationStart> starts = store.meta().incarnations().get("fulcrum-1");
                    assertThat(starts).as(id).hasSize(2);
                    assertThat(starts.get(0)).isEqualTo(new IncarnationStart(oldIncarnation, 1));
                    assertThat(starts.get(1).firstSeq()).isEqualTo(3);
                }
            }
        }
    }

    /** Whether {@code replica} announced, serving, that it compacted entries of {@code origin}. */
    private static boolean compacted(ReplicationProbe probe, String replica, String origin) {
        ReplicaStatus s = probe.status.get(replica);
        return s != null && s.phase() == Phase.SERVING && s.compacted().getOrDefault(origin, 0L) > 0;
    }

    private static Map<String, List<CommandRecord>> recordsByCommand(ReadOnlyRocksStore store) {
        Map<String, List<CommandRecord>> byId = new HashMap<>();
        for (CommandRecord r : store.allCommandRecords()) {
            byId.computeIfAbsent(r.commandId(), k -> new ArrayList<>()).add(r);
        }
        return byId;
    }

    /** Every acknowledged write once, where and as it was answered; no command applied twice anywhere. */
    private static void assertEveryAcknowledgedWriteAppliedOnce(String id, List<WriteLoad.Outcome> outcomes,
                                                                Map<String, List<CommandRecord>> records) {
        int checked = 0;
        for (WriteLoad.Outcome o : outcomes) {
            if (!o.reply().ok()) {
                continue;
            }
            List<CommandRecord> applied = records.getOrDefault(o.commandId(), List.of()).stream()
                    .filter(r -> r.kind() != OpKind.Refusal).toList();
            assertThat(applied).as("%s: acknowledged %s %s", id, o.commandId(), o.command()).singleElement().satisfies(r -> {
                assertThat(r.origin()).isEqualTo(o.reply().replica());
                assertThat(r.clock()).isEqualTo(o.reply().clock());
                assertThat(r.kind()).isEqualTo(OpKind.of(o.command().kind()));
                assertThat(r.planet()).isEqualTo(o.command().planet());
            });
            checked++;
        }
        assertThat(checked).isPositive();
        records.forEach((commandId, list) -> assertThat(list.stream().filter(r -> r.kind() != OpKind.Refusal))
                .as("%s: %s applied at most once", id, commandId).hasSizeLessThanOrEqualTo(1));
    }

    /**
     * The lost replica's stream as every store holds it: its previous incarnation from #1 to what
     * its peers held (at least every write it had acknowledged, at most what its lost disk had
     * written), then its new incarnation from the next number on, without a gap or a number twice.
     */
    private static void assertNumberedOn(String id, StoreMeta meta, Map<String, List<CommandRecord>> records, StoreMeta lost,
                                         List<WriteLoad.Outcome> outcomes, long killedAt, long servingAgainAt) {
        List<IncarnationStart> starts = meta.incarnations().get(LOST);
        assertThat(starts).as("%s: %s's incarnations", id, LOST).hasSize(2);
        assertThat(starts.get(0)).isEqualTo(new IncarnationStart(lost.incarnation(), 1));
        long newStart = starts.get(1).firstSeq();
        assertThat(starts.get(1).incarnation()).isNotEqualTo(lost.incarnation());

        Map<String, Long> seqOf = new HashMap<>();
        List<Long> seqs = new ArrayList<>();
        records.values().stream().flatMap(List::stream).filter(r -> r.origin().equals(LOST)).forEach(r -> {
            seqs.add(r.originSeq());
            seqOf.put(r.commandId(), r.originSeq());
        });
        assertThat(seqs).as("%s: %s's entries, each number once, no gap", id, LOST)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, meta.applied(LOST)).boxed().toList());

        long previousEnd = newStart - 1;
        long acknowledgedBefore = outcomes.stream().filter(o -> o.reply().ok() && LOST.equals(o.reply().replica())
                && o.answeredAtNanos() - killedAt < 0).mapToLong(o -> seqOf.get(o.commandId())).max().orElse(0);
        assertThat(previousEnd).as("%s: the previous life ends after every write it acknowledged", id)
                .isGreaterThanOrEqualTo(acknowledgedBefore).isLessThanOrEqualTo(lost.applied(LOST));
        System.out.printf("%s: %s's previous life #1..#%d (it had acknowledged up to #%d, written #%d), new life from #%d%n",
                id, LOST, previousEnd, acknowledgedBefore, lost.applied(LOST), newStart);
        // commands first sent once it served again (a command sent before the kill and answered after the
        // rejoin may well be an entry of the previous life, answered from its record)
        List<Long> after = outcomes.stream().filter(o -> o.reply().ok() && LOST.equals(o.reply().replica())
                && o.firstSentAtNanos() - servingAgainAt > 0).map(o -> seqOf.get(o.commandId())).toList();
        assertThat(after).as("%s: writes %s accepted after the rejoin", id, LOST).isNotEmpty()
                .allMatch(seq -> seq > previousEnd);
    }

    /** A session writer's writes are causally ordered: each of its cities ends with its last acknowledged count. */
    private static void assertSessionWritersLastValues(String id, ReadOnlyRocksStore store, List<WriteLoad.Outcome> outcomes) {
        Map<String, Long> lastValue = new TreeMap<>();
        Map<String, Set<Long>> anyValue = new TreeMap<>();
        for (WriteLoad.Outcome o : outcomes) {
            if (o.reply().ok()) {
                String key = o.command().planet() + " " + o.command().city();
                anyValue.computeIfAbsent(key, k -> new TreeSet<>()).add(o.command().rebels());
                if (o.session()) {
                    lastValue.put(key, o.command().rebels());
                }
            }
        }
        Map<String, Long> stored = new TreeMap<>();
        for (Planet p : store.planets()) {
            for (Map.Entry<String, City> e : p.visibleByName().entrySet()) {
                stored.put(p.name() + " " + e.getKey(), e.getValue().rebels().value());
            }
        }
        lastValue.forEach((city, value) -> assertThat(stored.get(city)).as("%s: %s", id, city).isEqualTo(value));
        // --no-session writes may be concurrent: a city holds one of the counts written to it
        anyValue.forEach((city, values) -> assertThat(values).as("%s: %s", id, city).contains(stored.get(city)));
        assertThat(stored.keySet()).as("%s: no city that no acknowledged write explains", id)
                .isSubsetOf(anyValue.keySet());
    }

    /** A fresh command id whose write order (no session: rendezvous hashing) starts at {@code replica}. */
    private static String idRoutedFirstTo(String replica, List<String> ids) {
        WriteRouting routing = new WriteRouting(ids);
        return Stream.generate(() -> "issue-" + UUID.randomUUID()).filter(id -> routing.order(id, null).get(0).equals(replica))
                .findFirst().orElseThrow();
    }

    private Reply informantNoSession(String uri, String commandId, String... args) {
        List<String> all = new ArrayList<>(List.of("--uri", uri, "--timeout", "60s", "--json", "--no-session",
                "--command-id", commandId));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CliRunner.run(new InformantMain(), new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        assertThat(code).as(out + " " + err).isZero();
        return ReplyCodec.decode(out.toString().strip().getBytes(StandardCharsets.UTF_8));
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
