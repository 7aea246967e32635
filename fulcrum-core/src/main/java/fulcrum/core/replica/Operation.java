package fulcrum.core.replica;

import fulcrum.core.clock.VectorClock;
import java.util.Objects;

/**
 * One entry of a replica's op log, as kept in its store and shipped to the other replicas.
 *
 * <p>Its id is {@code (origin, originSeq)}; {@code incarnation} says which life of the origin's
 * store wrote it. Sequence numbers continue across incarnations (a replica that lost its disk
 * rejoins and goes on after the highest number any peer holds), so an id is never reused, and a
 * receiver that holds {@code (origin, originSeq)} under another incarnation refuses the entry
 * instead of taking it for a duplicate.
 *
 * @param origin      replica that accepted the write (or refused the command)
 * @param incarnation the origin store's incarnation, positive
 * @param originSeq   1, 2, 3… per origin, without gaps
 * @param cityId      stable id of the city (for AddCity, the id it creates); null for a Refusal
 * @param name        AddCity: the city's name; UpdateName: the new name; otherwise null
 * @param rebels      AddCity and UpdateNumber: the count; otherwise null
 * @param clock       the planet's clock at the origin right after the write (for a Refusal: the
 *                    clock the origin had when it refused)
 * @param commandId   the client's command id (AMQP message id)
 */
public record Operation(String origin, long incarnation, long originSeq, String planet, OpKind kind, String cityId,
                        String name, Long rebels, VectorClock clock, String commandId) {
    public Operation {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(planet, "planet");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(commandId, "commandId");
        if (incarnation < 1) {
            throw new IllegalArgumentException("incarnation is positive, got " + incarnation);
        }
        if (originSeq < 1) {
            throw new IllegalArgumentException("originSeq starts at 1, got " + originSeq);
        }
        if (kind.changesState() != (cityId != null)) {
            throw new IllegalArgumentException(kind + (cityId == null ? " needs a cityId" : " takes no cityId"));
        }
        boolean needsName = kind == OpKind.AddCity || kind == OpKind.UpdateName;
        boolean needsRebels = kind == OpKind.AddCity || kind == OpKind.UpdateNumber;
        if (needsName != (name != null) || needsRebels != (rebels != null)) {
            throw new IllegalArgumentException("fields do not match " + kind + ": name=" + name + " rebels=" + rebels);
        }
    }

    public Stamp stamp() {
        return new Stamp(clock.sum(), origin);
    }

    /** {@code origin#seq}, for messages. */
    public String id() {
        return origin + "#" + originSeq;
    }

    /** The id a city created by this AddCity gets: unique across replicas and stable forever. */
    public static String cityIdOf(String origin, long originSeq) {
        return origin + ":" + originSeq;
    }
}
