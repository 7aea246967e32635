package fulcrum.core.replica;

import java.util.Objects;

/**
 * One city, identified by the id of the AddCity that created it (not by its name, which can
 * change). Each field is a separate last-writer-wins register, so a rename and a count update that
 * race both survive. Any field may still be unset when operations of several origins arrive out of
 * causal order; the city is visible only once its AddCity has arrived and no delete has.
 *
 * @param createdAt stamp of the AddCity, null until it arrives
 * @param deletedAt stamp of the first-seen delete (deletes win over concurrent updates), or null
 */
public record City(String id, Stamp createdAt, Register<String> name, Register<Long> rebels, Stamp deletedAt) {
    public City {
        Objects.requireNonNull(id, "id");
    }

    /** A city of which nothing has arrived yet. */
    public static City unknown(String id) {
        return new City(id, null, null, null, null);
    }

    /**
     * The city after {@code op} (a write on this city id): each field a last-writer-wins register,
     * the earliest delete kept. A join, so the result of a set of operations does not depend on the
     * order or the repetition of their delivery.
     *
     * @param before the city as stored, or null when none is
     */
    public static City applying(City before, Operation op) {
        City city = before != null ? before : unknown(op.cityId());
        if (!city.id().equals(op.cityId())) {
            throw new IllegalArgumentException("operation " + op.id() + " on city " + op.cityId() + " applied to " + city.id());
        }
        Stamp stamp = op.stamp();
        return switch (op.kind()) {
            case AddCity -> city.withCreated(stamp, op.name(), op.rebels());
            case UpdateName -> city.withName(op.name(), stamp);
            case UpdateNumber -> city.withRebels(op.rebels(), stamp);
            case DeleteCity -> city.withDeleted(stamp);
            case Refusal -> throw new IllegalArgumentException("a refusal changes no city");
        };
    }

    public boolean isLive() {
        return createdAt != null && deletedAt == null && name != null && rebels != null;
    }

    City withCreated(Stamp stamp, String initialName, long initialRebels) {
        return new City(id, Stamp.max(createdAt, stamp),
                Register.join(name, new Register<>(initialName, stamp)),
                Register.join(rebels, new Register<>(initialRebels, stamp)), deletedAt);
    }

    City withName(String newName, Stamp stamp) {
        return new City(id, createdAt, Register.join(name, new Register<>(newName, stamp)), rebels, deletedAt);
    }

    City withRebels(long count, Stamp stamp) {
        return new City(id, createdAt, name, Register.join(rebels, new Register<>(count, stamp)), deletedAt);
    }

    City withDeleted(Stamp stamp) {
        // Keep the smallest delete stamp: any delete deletes, and the choice must not depend on order.
        Stamp first = deletedAt == null || stamp.compareTo(deletedAt) < 0 ? stamp : deletedAt;
        return new City(id, createdAt, name, rebels, first);
    }

    /**
     * The join of two states of this city (each field's register joined, the earliest delete kept):
     * commutative, associative and idempotent, so whole planets can be merged as well as operations.
     */
    public City join(City other) {
        if (!id.equals(other.id)) {
            throw new IllegalArgumentException("joining city " + id + " with city " + other.id);
        }
        Stamp deleted = deletedAt == null ? other.deletedAt
                : other.deletedAt == null || deletedAt.compareTo(other.deletedAt) <= 0 ? deletedAt : other.deletedAt;
        return new City(id, Stamp.max(createdAt, other.createdAt), Register.join(name, other.name),
                Register.join(rebels, other.rebels), deleted);
    }
}
