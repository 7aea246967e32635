package fulcrum.core.replica;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.replication.CanonicalDump;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link Planet#apply} is order-independent and idempotent over any multiset of a valid history's
 * operations, and {@link Planet#join} is a join (commutative, associative, idempotent) that agrees
 * with applying the union of operations.
 */
class PlanetMergeProperties {

    static SortedMap<String, Planet> fold(List<Operation> ops) {
        TreeMap<String, Planet> planets = new TreeMap<>();
        for (Operation op : ops) {
            planets.put(op.planet(), planets.getOrDefault(op.planet(),
                    Planet.empty(op.planet(), VectorClock.zero(Histories.IDS))).apply(op));
        }
        return planets;
    }

    static SortedMap<String, Planet> join(SortedMap<String, Planet> x, SortedMap<String, Planet> y) {
        TreeMap<String, Planet> out = new TreeMap<>(x);
        y.forEach((name, p) -> out.merge(name, p, Planet::join));
        return out;
    }

    static String dump(SortedMap<String, Planet> planets) {
        return CanonicalDump.of(Histories.IDS, planets.values(), Map.of());
    }

    @Property(tries = 300)
    void anyPermutationWithDuplicatesGivesEqualPlanets(@ForAll long historySeed,
                                                       @ForAll @IntRange(min = 1, max = 60) int steps,
                                                       @ForAll long shuffleSeed,
                                                       @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 1000) Integer> dups) {
        List<Operation> history = Histories.generate(historySeed, steps);
        List<Operation> multiset = new ArrayList<>(history);
        if (!history.isEmpty()) {
            for (int d : dups) {
                multiset.add(history.get(d % history.size()));
            }
        }
        Collections.shuffle(multiset, new Random(shuffleSeed));
        SortedMap<String, Planet> inOrder = fold(history);
        SortedMap<String, Planet> shuffled = fold(multiset);
        assertThat(shuffled).isEqualTo(inOrder);
        assertThat(dump(shuffled)).isEqualTo(dump(inOrder));
    }

    @Property(tries = 300)
    void joinOfPartialStatesIsAJoinAndEqualsTheFoldOfTheUnion(@ForAll long historySeed,
                                                             @ForAll @IntRange(min = 1, max = 60) int steps,
                                                             @ForAll long splitSeed) {
        List<Operation> history = Histories.generate(historySeed, steps);
        Random random = new Random(splitSeed);
        List<List<Operation>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Operation op : history) {
            // every op lands in at least one part, some in several
            int mask = 1 + random.nextInt(7);
            for (int i = 0; i < 3; i++) {
                if ((mask & (1 << i)) != 0) {
                    parts.get(i).add(op);
                }
            }
        }
        SortedMap<String, Planet> x = fold(parts.get(0));
        SortedMap<String, Planet> y = fold(parts.get(1));
        SortedMap<String, Planet> z = fold(parts.get(2));
        assertThat(join(x, y)).isEqualTo(join(y, x));
        assertThat(join(join(x, y), z)).isEqualTo(join(x, join(y, z)));
        assertThat(join(x, x)).isEqualTo(x);
        assertThat(join(join(x, y), z)).isEqualTo(fold(history));
        // applying an op to a state equals joining with the singleton state of that op
        for (Operation op : parts.get(1)) {
            assertThat(join(x, fold(List.of(op)))).isEqualTo(fold(concat(parts.get(0), op)));
        }
    }

    @Property(tries = 100)
    void replicasThatApplyAHistoryInAnyCausalOrderAgree(@ForAll long historySeed,
                                                        @ForAll @IntRange(min = 1, max = 60) int steps,
                                                        @ForAll long shuffleSeed) {
        List<Operation> history = Histories.generate(historySeed, steps);
        List<Operation> shuffled = new ArrayList<>(history);
        Collections.shuffle(shuffled, new Random(shuffleSeed));
        fulcrum.core.node.TestReplica r = new fulcrum.core.node.TestReplica("D", List.of("A", "B", "C", "D"));
        // deliver in random order, one entry at a time: the node must put them back in causal order
        for (Operation op : shuffled) {
            r.merge(List.of(op));
        }
        assertThat(r.node().stats().waiting()).isZero();
        assertThat(r.planets()).isEqualTo(fold(history));
    }

    private static List<Operation> concat(List<Operation> ops, Operation op) {
        List<Operation> out = new ArrayList<>(ops);
        out.add(op);
        return out;
    }
}
