package fulcrum.core.node;

import fulcrum.core.replica.City;
import fulcrum.core.replica.Register;
import fulcrum.core.replica.Stamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One city as the store holds it, kept in memory across commits and overwritten in place when a
 * commit changes it: in primitive fields, its stamps' origins as small numbers, so that a commit of
 * an {@code UpdateNumber} allocates nothing and stores no reference into it.
 *
 * <p>Why not the committed {@link City} itself: an answer of a planet written at random lives until
 * its city is written again, seconds later, so every write replaced an old-generation object with a
 * new one that was promoted and died there (a planet of 100,000 cities cost the workers' G1 0.13–0.21
 * cores, against 0.01 on a planet of 100, and its young pauses 25–140 ms, as each commit stored new
 * objects into the old generation's map). A read builds a fresh {@link City} from these fields; it
 * dies young.
 */
final class KeptCity {
    /** The stamps' origins (replica ids) by number; few, and never forgotten while the node runs. */
    static final class Origins {
        static final int MAX = 1_024;
        /** The first origins numbered are found by comparing them, the others through a map. */
        static final int SCANNED = 8;

        private final List<String> byNumber = new ArrayList<>();
        private final Map<String, Integer> numbers = new HashMap<>();

        /** {@code origin}'s number, or -1 when {@link #MAX} others have one already. */
        int number(String origin) {
            // a cluster's few origins are compared in place: each entry's origin is a string decoded
            // afresh, whose hash a map lookup would compute at every commit of every kept city
            int scanned = Math.min(byNumber.size(), SCANNED);
            for (int i = 0; i < scanned; i++) {
                String first = byNumber.get(i);
                if (first == origin || first.equals(origin)) {
                    return i;
                }
            }
            Integer known = byNumber.size() > SCANNED ? numbers.get(origin) : null;
            if (known != null) {
                return known;
            }
            if (byNumber.size() == MAX) {
                return -1;
            }
            byNumber.add(origin);
            numbers.put(origin, byNumber.size() - 1);
            return byNumber.size() - 1;
        }

        String origin(int number) {
            return byNumber.get(number);
        }
    }

    private static final int NONE = -1; // an origin number: no such stamp (or register)
    private static final int NO_NUMBER_LEFT = -2; // an origin number: the stamp's origin could not be numbered

    private final String id;
    private long createdClockSum;
    private int createdOrigin = NONE;
    private String name;
    private long nameClockSum;
    private int nameOrigin = NONE;
    private long rebels;
    private long rebelsClockSum;
    private int rebelsOrigin = NONE;
    private long deletedClockSum;
    private int deletedOrigin = NONE;

    private KeptCity(String id) {
        this.id = id;
    }

    /** {@code city} kept, or null when one of its origins has no number left. */
    static KeptCity of(City city, Origins origins) {
        KeptCity kept = new KeptCity(city.id());
        return kept.overwrite(city, origins) ? kept : null;
    }

    /**
     * Takes {@code city}'s fields (the same city, as a commit left it). False, and nothing taken,
     * when one of its origins has no number left: then the caller forgets this answer.
     */
    boolean overwrite(City city, Origins origins) {
        if (!city.id().equals(id)) {
            throw new IllegalArgumentException("city " + city.id() + " kept as " + id);
        }
        Stamp created = city.createdAt();
        Register<String> cityName = city.name();
        Register<Long> cityRebels = city.rebels();
        Stamp deleted = city.deletedAt();
        int created0 = originOf(created, origins);
        int name0 = cityName == null ? NONE : originOf(cityName.stamp(), origins);
        int rebels0 = cityRebels == null ? NONE : originOf(cityRebels.stamp(), origins);
        int deleted0 = originOf(deleted, origins);
        if (created0 == NO_NUMBER_LEFT || name0 == NO_NUMBER_LEFT || rebels0 == NO_NUMBER_LEFT
                || deleted0 == NO_NUMBER_LEFT) {
            return false;
        }
        createdOrigin = created0;
        createdClockSum = created == null ? 0 : created.clockSum();
        nameOrigin = name0;
        nameClockSum = cityName == null ? 0 : cityName.stamp().clockSum();
        String newName = cityName == null ? null : cityName.value();
        if (name != newName) { // a write that keeps the name hands back this very string: no store then
            name = newName;
        }
        rebelsOrigin = rebels0;
        rebelsClockSum = cityRebels == null ? 0 : cityRebels.stamp().clockSum();
        rebels = cityRebels == null ? 0 : cityRebels.value();
        deletedOrigin = deleted0;
        deletedClockSum = deleted == null ? 0 : deleted.clockSum();
        return true;
    }

    City toCity(Origins origins) {
        return new City(id, stamp(createdClockSum, createdOrigin, origins),
                nameOrigin == NONE ? null : new Register<>(name, stamp(nameClockSum, nameOrigin, origins)),
                rebelsOrigin == NONE ? null : new Register<>(rebels, stamp(rebelsClockSum, rebelsOrigin, origins)),
                stamp(deletedClockSum, deletedOrigin, origins));
    }

    /** NONE for no stamp, NO_NUMBER_LEFT when its origin has no number left. */
    private static int originOf(Stamp stamp, Origins origins) {
        if (stamp == null) {
            return NONE;
        }
        int number = origins.number(stamp.origin());
        return number < 0 ? NO_NUMBER_LEFT : number;
    }

    private static Stamp stamp(long clockSum, int origin, Origins origins) {
        return origin == NONE ? null : new Stamp(clockSum, origins.origin(origin));
    }
}
