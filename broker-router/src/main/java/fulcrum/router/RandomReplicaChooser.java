package fulcrum.router;

import fulcrum.core.domain.Command;
import java.util.List;
import java.util.random.RandomGenerator;

/** Spreads load evenly: every command goes to a uniformly random replica. */
public final class RandomReplicaChooser implements ReplicaChooser {
    private final List<String> replicaIds;
    private final RandomGenerator random;

    public RandomReplicaChooser(List<String> replicaIds, RandomGenerator random) {
        if (replicaIds.isEmpty()) {
            throw new IllegalArgumentException("no replicas to choose from");
        }
        this.replicaIds = List.copyOf(replicaIds);
        this.random = random;
    }

    @Override
    public String choose(Command command) {
        return replicaIds.get(random.nextInt(replicaIds.size()));
    }
}
