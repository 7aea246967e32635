package fulcrum.router.metrics;

import fulcrum.core.router.RouterCounters;
import fulcrum.router.RouterMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The router's meters on a Micrometer registry: function counters and gauges over the latest
 * {@link RouterCounters.Snapshot}, registered the first time a label value appears.
 */
public final class MicrometerRouterMetrics implements RouterMetrics {
    private record Observed(RouterCounters.Snapshot counters, int inFlight) {
    }

    private final MeterRegistry registry;
    private final AtomicReference<Observed> latest = new AtomicReference<>();
    private final Set<String> registered = new HashSet<>();

    public MicrometerRouterMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("fulcrum.router.in.flight", latest, r -> value(r, o -> o.inFlight()))
                .description("commands and queries forwarded and waiting for a replica's answer").register(registry);
        FunctionCounter.builder("fulcrum.router.query.timeouts", latest, r -> value(r, o -> o.counters().queryTimeouts()))
                .description("queries offered to the next replica because theirs did not answer within --query-timeout")
                .register(registry);
    }

    @Override
    public synchronized void observe(RouterCounters.Snapshot counters, int inFlight) {
        latest.set(new Observed(counters, inFlight));
        counters.answersByKindAndOutcome().forEach((kind, outcomes) -> outcomes.keySet().forEach(outcome -> {
            if (registered.add("answer/" + kind + "/" + outcome)) {
                FunctionCounter.builder("fulcrum.commands", latest,
                                r -> value(r, o -> count(o.counters().answersByKindAndOutcome().get(kind), outcome)))
                        .description("commands and queries answered by the router, by kind and final outcome"
                                + " (ok, or the error code relayed or given)")
                        .tags("kind", kind, "outcome", outcome).register(registry);
            }
        }));
        counters.deadLettersByQueueAndCode().forEach((queue, codes) -> codes.keySet().forEach(code -> {
            if (registered.add("dead/" + queue + "/" + code)) {
                FunctionCounter.builder("fulcrum.dead.letters", latest,
                                r -> value(r, o -> count(o.counters().deadLettersByQueueAndCode().get(queue), code)))
                        .description("messages moved to fulcrum.dead-letters, by the queue they came from and the error code")
                        .tags("queue", queue, "code", code).register(registry);
            }
        }));
        counters.staleReroutesByKind().keySet().forEach(kind -> {
            if (registered.add("stale/" + kind)) {
                FunctionCounter.builder("fulcrum.router.stale.reroutes", latest,
                                r -> value(r, o -> o.counters().staleReroutesByKind().getOrDefault(kind, 0L)))
                        .description("forwards moved to the next replica after a STALE answer")
                        .tag("kind", kind).register(registry);
            }
        });
        counters.routeAnswersByOutcome().keySet().forEach(outcome -> {
            if (registered.add("route/" + outcome)) {
                FunctionCounter.builder("fulcrum.router.routes", latest,
                                r -> value(r, o -> o.counters().routeAnswersByOutcome().getOrDefault(outcome, 0L)))
                        .description("route requests answered (the direct write path), by outcome (ok or the error code)")
                        .tag("outcome", outcome).register(registry);
            }
        });
        counters.forwardsByReplica().keySet().forEach(replica -> {
            if (registered.add("forward/" + replica)) {
                FunctionCounter.builder("fulcrum.router.forwards", latest,
                                r -> value(r, o -> o.counters().forwardsByReplica().getOrDefault(replica, 0L)))
                        .description("forwards published to a replica's command queue")
                        .tag("replica", replica).register(registry);
            }
        });
    }

    private static long count(Map<String, Long> counts, String key) {
        return counts == null ? 0 : counts.getOrDefault(key, 0L);
    }

    private static double value(AtomicReference<Observed> ref, ToDoubleFunction<Observed> f) {
        Observed o = ref.get();
        return o == null ? 0 : f.applyAsDouble(o);
    }
}
