package fulcrum.core.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The merge of vector clocks is a join (semilattice) and dominance is its partial order. */
class VectorClockProperties {

    @Provide
    Arbitrary<VectorClock> clocks() {
        return Arbitraries.maps(Arbitraries.of("A", "B", "C", "D"), Arbitraries.longs().between(0, 5))
                .ofMaxSize(4).map(VectorClock::of);
    }

    @Property
    void mergeIsCommutative(@ForAll("clocks") VectorClock x, @ForAll("clocks") VectorClock y) {
        assertThat(x.merge(y)).isEqualTo(y.merge(x));
        assertThat(x.merge(y).toString()).isEqualTo(y.merge(x).toString());
    }

    @Property
    void mergeIsAssociative(@ForAll("clocks") VectorClock x, @ForAll("clocks") VectorClock y,
                            @ForAll("clocks") VectorClock z) {
        assertThat(x.merge(y).merge(z)).isEqualTo(x.merge(y.merge(z)));
    }

    @Property
    void mergeIsIdempotent(@ForAll("clocks") VectorClock x) {
        assertThat(x.merge(x)).isEqualTo(x);
        assertThat(x.merge(VectorClock.empty())).isEqualTo(x);
    }

    @Property
    void mergeIsTheLeastUpperBound(@ForAll("clocks") VectorClock x, @ForAll("clocks") VectorClock y,
                                   @ForAll("clocks") VectorClock z) {
        VectorClock m = x.merge(y);
        assertThat(m.dominates(x) && m.dominates(y)).isTrue();
        if (z.dominates(x) && z.dominates(y)) {
            assertThat(z.dominates(m)).isTrue();
        }
        assertThat(x.dominates(y)).isEqualTo(m.equals(x));
    }

    @Property
    void dominanceIsAPartialOrder(@ForAll("clocks") VectorClock x, @ForAll("clocks") VectorClock y,
                                  @ForAll("clocks") VectorClock z) {
        assertThat(x.dominates(x)).isTrue();
        if (x.dominates(y) && y.dominates(x)) {
            assertThat(x).isEqualTo(y);
            assertThat(x.hashCode()).isEqualTo(y.hashCode());
        }
        if (x.dominates(y) && y.dominates(z)) {
            assertThat(x.dominates(z)).isTrue();
        }
        assertThat(x.concurrentWith(y)).isEqualTo(!x.dominates(y) && !y.dominates(x));
    }

    @Property
    void incrementMovesStrictlyForwardAndSumCountsIt(@ForAll("clocks") VectorClock x, @ForAll("ids") String id) {
        VectorClock next = x.increment(id);
        assertThat(next.dominates(x)).isTrue();
        assertThat(x.dominates(next)).isFalse();
        assertThat(next.sum()).isEqualTo(x.sum() + 1);
        assertThat(next.get(id)).isEqualTo(x.get(id) + 1);
    }

    @Property
    void sumIsMonotone(@ForAll("clocks") VectorClock x, @ForAll("clocks") VectorClock y) {
        if (x.dominates(y)) {
            assertThat(x.sum()).isGreaterThanOrEqualTo(y.sum());
            if (!x.equals(y)) {
                assertThat(x.sum()).isGreaterThan(y.sum());
            }
        }
    }

    @Property
    void explicitZerosDoNotMatter(@ForAll("clocks") VectorClock x) {
        VectorClock padded = x.merge(VectorClock.zero(java.util.List.of("A", "B", "C", "D", "E")));
        assertThat(padded).isEqualTo(x);
        assertThat(padded.hashCode()).isEqualTo(x.hashCode());
        assertThat(VectorClock.of(Map.of())).isEqualTo(VectorClock.empty());
    }

    /** The arrays behind a clock give what a sorted map of its entries gives (the representation before them). */
    @Property
    void readsMergesAndIncrementsAgreeWithASortedMap(@ForAll("clocks") VectorClock x, @ForAll("clocks") VectorClock y,
                                                     @ForAll("ids") String id) {
        java.util.TreeMap<String, Long> merged = new java.util.TreeMap<>(x.asMap());
        y.asMap().forEach((k, v) -> merged.merge(k, v, Math::max));
        assertThat(x.merge(y).asMap()).isEqualTo(merged);
        java.util.TreeMap<String, Long> incremented = new java.util.TreeMap<>(x.asMap());
        incremented.merge(id, 1L, Long::sum);
        assertThat(x.increment(id).asMap()).isEqualTo(incremented);
        assertThat(x.get(id)).isEqualTo(x.asMap().getOrDefault(id, 0L));
        java.util.List<String> entries = new java.util.ArrayList<>();
        x.forEach((k, v) -> entries.add(k + "=" + v));
        assertThat(entries).containsExactlyElementsOf(x.asMap().entrySet().stream().map(Object::toString).toList());
        assertThat(VectorClock.ofSorted(x.asMap().keySet().toArray(new String[0]),
                x.asMap().values().stream().mapToLong(Long::longValue).toArray()).asMap()).isEqualTo(x.asMap());
    }

    @org.junit.jupiter.api.Test
    void sortedEntriesOutOfOrderTwiceOrNegativeAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VectorClock.ofSorted(new String[]{"B", "A"}, new long[]{1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order or twice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VectorClock.ofSorted(new String[]{"A", "A"}, new long[]{1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order or twice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VectorClock.ofSorted(new String[]{"A"}, new long[]{-1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VectorClock.ofSorted(new String[]{"A"}, new long[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 replica ids but 0 counts");
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.of("A", "B", "C", "D");
    }
}
