package fulcrum.chaos.check;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the checker needs of one stopped replica: its canonical dump, per planet the clock and the
 * visible cities with their counts, and the op-log entries not yet compacted.
 */
public record FinalReplica(String id, String dump, Map<String, PlanetView> planets, List<LoggedOp> operations) {

    public record PlanetView(Map<String, Long> clock, Map<String, Long> cities) {
        public PlanetView {
            clock = Map.copyOf(clock);
            cities = Map.copyOf(cities);
        }
    }

    /** One op-log entry: who accepted it, its sequence number there, and the client's command id. */
    public record LoggedOp(String origin, long originSeq, String commandId) {
    }

    public FinalReplica {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dump, "dump");
        planets = Map.copyOf(planets);
        operations = List.copyOf(operations);
    }
}
