package fulcrum.core.replica;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import java.util.Objects;

/**
 * One accepted write, as kept in a replica's op log and shipped to the other replicas.
 *
 * @param origin    replica that accepted the write
 * @param originSeq 1, 2, 3… per origin, without gaps
 * @param cityId    stable id of the city (for AddCity, the id it creates)
 * @param name      AddCity: the city's name; UpdateName: the new name; otherwise null
 * @param rebels    AddCity and UpdateNumber: the count; otherwise null
 * @param clock     the planet's clock at the origin right after the write
 * @param commandId the client's command id (AMQP message id)
 */
public record Operation(String origin, long originSeq, String planet, CommandKind kind, String cityId,
                        String name, Long rebels, VectorClock clock, String commandId) {
    public Operation {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(planet, "planet");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(cityId, "cityId");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(commandId, "commandId");
        if (!kind.isWrite()) {
            throw new IllegalArgumentException("only writes are operations: " + kind);
        }
        if (originSeq < 1) {
            throw new IllegalArgumentException("originSeq starts at 1, got " + originSeq);
        }
        boolean needsName = kind == CommandKind.AddCity || kind == CommandKind.UpdateName;
        boolean needsRebels = kind == CommandKind.AddCity || kind == CommandKind.UpdateNumber;
        if (needsName != (name != null) || needsRebels != (rebels != null)) {
            throw new IllegalArgumentException("fields do not match " + kind + ": name=" + name + " rebels=" + rebels);
        }
    }

    public Stamp stamp() {
        return new Stamp(clock.sum(), origin);
    }

    /** The id a city created by this AddCity gets: unique across replicas and stable forever. */
    public static String cityIdOf(String origin, long originSeq) {
        return origin + ":" + originSeq;
    }
}
