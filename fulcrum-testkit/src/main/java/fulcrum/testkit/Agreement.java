package fulcrum.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** Waiting until several parties (replicas) report the same value, e.g. the same applied vector. */
public final class Agreement {
    private Agreement() {
    }

    /**
     * Waits until {@code valueOf} gives every one of {@code parties} the same non-null value that
     * satisfies {@code condition}, and returns it. {@code valueOf} answers null for a party that has
     * not reported (yet).
     */
    public static <V> V await(String what, Duration atMost, Collection<String> parties, Function<String, V> valueOf,
                              Predicate<V> condition) {
        return Awaitility.await(what).atMost(atMost).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    V first = null;
                    for (String party : parties) {
                        V value = valueOf.apply(party);
                        if (value == null || (first != null && !Objects.equals(first, value))) {
                            return null;
                        }
                        first = value;
                    }
                    return first;
                }, v -> v != null && condition.test(v));
    }
}
