package fulcrum.core.replica;

import fulcrum.core.domain.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates a valid operation history (what three replicas could really produce): random commands
 * from small name pools at random replicas, with random, reliable, in-order partial exchanges so
 * that the history mixes causally ordered and concurrent writes.
 */
final class Histories {
    static final List<String> IDS = List.of("A", "B", "C");

    private Histories() {
    }

    static List<Operation> generate(long seed, int steps) {
        Random random = new Random(seed);
        List<fulcrum.core.node.TestReplica> replicas = new ArrayList<>();
        for (String id : IDS) {
            replicas.add(new fulcrum.core.node.TestReplica(id, IDS));
        }
        List<Operation> all = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            fulcrum.core.node.TestReplica r = replicas.get(random.nextInt(replicas.size()));
            if (random.nextInt(4) == 0) {
                fulcrum.core.node.TestReplica from = replicas.get(random.nextInt(replicas.size()));
                if (from == r) {
                    continue;
                }
                long upTo = random.nextInt((int) (long) from.applied().getOrDefault(from.id(), 0L) + 1);
                List<Operation> delta = all.stream()
                        .filter(o -> o.origin().equals(from.id()) && o.originSeq() <= upTo).toList();
                r.merge(delta);
                continue;
            }
            String planet = "P" + random.nextInt(2);
            String city = "c" + random.nextInt(3);
            Command command = switch (random.nextInt(5)) {
                case 0, 1 -> Command.addCity(planet, city, random.nextInt(10));
                case 2 -> Command.updateName(planet, city, "c" + random.nextInt(3));
                case 3 -> Command.updateNumber(planet, city, random.nextInt(10));
                default -> Command.deleteCity(planet, city);
            };
            int before = r.store().allOperations().size();
            r.execute("cmd-" + i, command);
            if (r.store().allOperations().size() > before) {
                all.add(r.lastEntry());
            }
        }
        return all;
    }
}
