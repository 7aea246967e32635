package fulcrum.worker.metrics;

import fulcrum.common.topology.Topology;
import fulcrum.core.node.NodeCounters;
import fulcrum.core.node.NodeStats;
import fulcrum.core.replica.ConflictKind;
import fulcrum.core.store.Phase;
import fulcrum.worker.ReplicaMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The worker's meters on a Micrometer registry. Counts the node keeps are read from its latest
 * stats by function counters and gauges (registered the first time a label value appears), so the
 * loop pays one reference swap per round; the shell's own measurements go into a timer and a
 * distribution summary. Names are Micrometer's dotted form of the Prometheus names in the README.
 */
public final class MicrometerReplicaMetrics implements ReplicaMetrics {
    private final MeterRegistry registry;
    private final String replicaId;
    private final AtomicReference<NodeStats> latest = new AtomicReference<>();
    private final BehindSince behindSince = new BehindSince();
    private final Set<String> registered = new HashSet<>();
    private final Timer commit;
    private final DistributionSummary commitBatch;
    private final Timer command;

    /**
     * @param replicaId names the queues of the dead-letter counters
     * @param dataDir   the store's directory, measured on every scrape; null: no store-size gauge
     */
    public MicrometerReplicaMetrics(MeterRegistry registry, String replicaId, Path dataDir) {
        this.registry = registry;
        this.replicaId = replicaId;
        this.commit = Timer.builder("fulcrum.commit")
                .description("synced store commits (one per batch of deliveries)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.commitBatch = DistributionSummary.builder("fulcrum.commit.batch.size")
                .description("deliveries (commands and merge traffic) settled by one synced commit")
                .register(registry);
        this.command = Timer.builder("fulcrum.command")
                .description("time from a command's delivery to this replica to its ack (answered or dead-lettered)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        counter("fulcrum.dedup.hits", "commands answered from their record (a re-sent or redelivered command id)",
                NodeStats::answeredFromRecord);
        counter("fulcrum.stale.refusals", "commands refused STALE (the replica's planet clock is behind the session's)",
                NodeStats::refused);
        counter("fulcrum.operations.applied", "peers' entries applied here", NodeStats::merged);
        counter("fulcrum.operations.rejected", "peers' entries dropped at apply time (contradicting their predecessors)",
                NodeStats::rejectedEntries);
        counter("fulcrum.snapshot.pages.served", "snapshot pages served to joining peers",
                NodeStats::snapshotPagesServed);
        gauge("fulcrum.replica.serving", "1 while the replica serves commands, 0 while it joins",
                s -> s.phase() == Phase.SERVING ? 1 : 0);
        gauge("fulcrum.oplog.entries", "entries in the op log (above each origin's compaction floor)",
                NodeStats::opLogLength);
        gauge("fulcrum.operations.waiting", "peers' entries held and not applied yet (a gap or a causal predecessor missing)",
                NodeStats::waiting);
        gauge("fulcrum.published.sequence", "own entries published and confirmed on fulcrum.merge",
                NodeStats::published);
        gauge("fulcrum.join.items", "items copied by the current join (0 when not joining)",
                s -> s.join() == null ? 0 : s.join().items());
        for (ConflictKind kind : ConflictKind.values()) {
            FunctionCounter.builder("fulcrum.conflicts", latest, r -> value(r, s -> s.conflicts().getOrDefault(kind, 0L)))
                    .description("concurrent writes settled by the conflict order, by kind")
                    .tag("kind", kind.name()).register(registry);
        }
        if (dataDir != null) {
            Gauge.builder("fulcrum.store.size", dataDir, StoreSize::bytes)
                    .description("bytes of the store's directory on disk (tables, logs, manifest)")
                    .baseUnit("bytes").register(registry);
        }
    }

    @Override
    public void observe(NodeStats stats) {
        latest.set(stats);
        behindSince.observe(stats.behind(), System.nanoTime());
        registerNewLabels(stats);
    }

    @Override
    public void committed(int deliveries, long nanos) {
        commit.record(nanos, TimeUnit.NANOSECONDS);
        commitBatch.record(deliveries);
    }

    @Override
    public void commandSettled(long nanos) {
        command.record(nanos, TimeUnit.NANOSECONDS);
    }

    private void registerNewLabels(NodeStats stats) {
        stats.commands().forEach((kind, outcomes) -> outcomes.keySet().forEach(outcome -> {
            if (registered.add("command/" + kind + "/" + outcome)) {
                FunctionCounter.builder("fulcrum.commands", latest,
                                r -> value(r, s -> count(s.commands().get(kind), outcome)))
                        .description("commands answered by this replica, by kind and outcome (ok, dedup, or the error code)")
                        .tags("kind", kind, "outcome", outcome).register(registry);
            }
        }));
        stats.deadLettersBySource().forEach((queue, codes) -> codes.keySet().forEach(code -> {
            if (registered.add("dead/" + queue + "/" + code)) {
                FunctionCounter.builder("fulcrum.dead.letters", latest,
                                r -> value(r, s -> count(s.deadLettersBySource().get(queue), code)))
                        .description("messages moved to fulcrum.dead-letters, by the queue they came from and the error code")
                        .tags("queue", queueName(queue), "code", code).register(registry);
            }
        }));
        Set<String> triggers = new HashSet<>(Set.of(NodeCounters.ROUND_INTERVAL, NodeCounters.ROUND_REQUESTED));
        triggers.addAll(stats.mergeRounds().keySet());
        triggers.forEach(trigger -> {
            if (registered.add("round/" + trigger)) {
                FunctionCounter.builder("fulcrum.merge.rounds", latest,
                                r -> value(r, s -> s.mergeRounds().getOrDefault(trigger, 0L)))
                        .description("merge rounds (publish what is unpublished, ask for what is missing), by trigger")
                        .tag("trigger", trigger).register(registry);
            }
        });
        stats.refusedSenders().keySet().forEach(sender -> {
            if (registered.add("refused/" + sender)) {
                FunctionCounter.builder("fulcrum.peer.messages.refused", latest,
                                r -> value(r, s -> s.refusedSenders().getOrDefault(sender, 0L)))
                        .description("merge and status messages refused by peer authentication, by the sender's"
                                + " broker user (empty: the message carried no user_id)")
                        .tag("sender", sender).register(registry);
            }
        });
        stats.behind().keySet().forEach(peer -> {
            if (registered.add("peer/" + peer)) {
                registerPeer(peer);
            }
        });
    }

    /** The node names the source of a delivery; an operator knows the queue. */
    private String queueName(String source) {
        return switch (source) {
            case "commands" -> Topology.replicaCommandQueue(replicaId);
            case "merge" -> Topology.replicaMergeQueue(replicaId);
            case "status" -> Topology.STATUS_EXCHANGE;
            default -> source;
        };
    }

    private void registerPeer(String peer) {
        FunctionCounter.builder("fulcrum.operations.sent", latest, r -> value(r, s -> s.sentTo().getOrDefault(peer, 0L)))
                .description("own or resent entries published to a peer's merge queue and confirmed")
                .tag("peer", peer).register(registry);
        FunctionCounter.builder("fulcrum.operations.received", latest,
                        r -> value(r, s -> s.receivedFrom().getOrDefault(peer, 0L)))
                .description("entries of a peer's stream taken from this replica's merge queue (duplicates included)")
                .tag("peer", peer).register(registry);
        Gauge.builder("fulcrum.replication.lag.operations", latest, r -> value(r, s -> s.behind().getOrDefault(peer, 0L)))
                .description("entries of a peer's stream known to exist (held here or announced) and not applied here")
                .tag("peer", peer).register(registry);
        Gauge.builder("fulcrum.replication.lag", behindSince, b -> b.seconds(peer, System.nanoTime()))
                .description("how long this replica has been behind a peer (0 when it is not)")
                .baseUnit("seconds").tag("peer", peer).register(registry);
    }

    private void counter(String name, String description, ToDoubleFunction<NodeStats> f) {
        FunctionCounter.builder(name, latest, r -> value(r, f)).description(description).register(registry);
    }

    private void gauge(String name, String description, ToDoubleFunction<NodeStats> f) {
        Gauge.builder(name, latest, r -> value(r, f)).description(description).register(registry);
    }

    private static long count(Map<String, Long> counts, String key) {
        return counts == null ? 0 : counts.getOrDefault(key, 0L);
    }

    private static double value(AtomicReference<NodeStats> ref, ToDoubleFunction<NodeStats> f) {
        NodeStats s = ref.get();
        return s == null ? 0 : f.applyAsDouble(s);
    }
}
