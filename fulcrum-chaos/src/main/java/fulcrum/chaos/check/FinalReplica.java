package fulcrum.chaos.check;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the checker needs of one stopped replica, as plain data (no store class): its canonical
 * dump, per planet the clock and the visible cities with their counts, and every command record it
 * holds.
 *
 * @param id      the replica (fulcrum-1, …)
 * @param dump    the canonical text of its whole state (byte-identical on replicas that converged)
 * @param planets per planet name, the planet's clock and its visible cities
 * @param records every command record the replica holds, in any order
 */
public record FinalReplica(String id, String dump, Map<String, PlanetView> planets, List<CommandRecord> records) {

    /**
     * One planet as a reader sees it.
     *
     * @param clock  the planet's vector clock (replica id → entry; a missing entry counts as 0)
     * @param cities the visible cities: name → count
     */
    public record PlanetView(Map<String, Long> clock, Map<String, Long> cities) {
        public PlanetView {
            clock = Map.copyOf(clock);
            cities = Map.copyOf(cities);
        }
    }

    /** What a command record says happened to a command at its origin. */
    public enum RecordKind {
        AddCity, UpdateName, UpdateNumber, DeleteCity,
        /** the origin refused the write as STALE and recorded that refusal as the command's outcome */
        Refusal;

        public boolean isApplication() {
            return this != Refusal;
        }
    }

    /**
     * One command record: an application of a write at its origin (a replica holds one for every
     * operation it applied, its own and its peers'), or a STALE refusal recorded for good.
     *
     * <p>An application's id is {@code (origin, originSeq)}: sequence numbers continue across the
     * origin's incarnations (a replica that lost its disk numbers on after its previous stream), so
     * the id alone tells two applications apart and no incarnation is needed.
     *
     * @param commandId the client's command id
     * @param origin    the replica that applied (or refused) the command
     * @param originSeq the entry's sequence number at the origin (a refusal is an entry of its own)
     * @param planet    the command's planet
     * @param kind      the operation applied, or {@link RecordKind#Refusal}
     * @param clock     the planet's vector clock right after the write at the origin (a refusal: at
     *                  the refusal; empty when the planet did not exist there)
     */
    public record CommandRecord(String commandId, String origin, long originSeq, String planet, RecordKind kind,
                                Map<String, Long> clock) {
        public CommandRecord {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(planet, "planet");
            Objects.requireNonNull(kind, "kind");
            clock = Map.copyOf(clock);
            if (originSeq < 1) {
                throw new IllegalArgumentException("sequence " + originSeq + " in the record of " + commandId);
            }
        }
    }

    public FinalReplica {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dump, "dump");
        planets = Map.copyOf(planets);
        records = List.copyOf(records);
    }
}
