package fulcrum.chaos.check;

import fulcrum.core.clock.VectorClock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One planet replayed from the applications of its writes, in the order the replicas settle them
 * (the stamp: sum of the clock after the write, then origin): AddCity creates a lineage, UpdateName
 * moves its name, UpdateNumber sets its count, DeleteCity ends it. With one writer per planet and
 * names never reused this is exactly the state any replica holding those applications must show.
 */
final class Replay {
    /** One application of a command at an origin, as the command records tell it. */
    record App(Cmd cmd, String origin, long originSeq, VectorClock clock) {
        String describe() {
            return cmd.describe() + " applied at " + origin + " with clock " + clock;
        }
    }

    static final Comparator<App> STAMP_ORDER = Comparator.<App>comparingLong(a -> a.clock().sum())
            .thenComparing(App::origin).thenComparing(a -> a.cmd().id()).thenComparingLong(App::originSeq);

    /** A city from its AddCity on: its name and count now, and the applications that set them. */
    static final class Lineage {
        final App created;
        String name;
        long count;
        App nameSetter;
        App countSetter;
        final Set<Long> countsSet = new HashSet<>();

        Lineage(App created, String name, long count) {
            this.created = created;
            this.name = name;
            this.count = count;
            this.nameSetter = created;
            this.countSetter = created;
            countsSet.add(count);
        }
    }

    /** Live cities by name. */
    final Map<String, Lineage> live = new HashMap<>();
    /** A name no live city has any more, and the application that took it away (DeleteCity or UpdateName). */
    final Map<String, App> removedBy = new HashMap<>();

    /** Replays {@code apps}, which must be in {@link #STAMP_ORDER}. */
    static Replay of(List<App> apps) {
        Replay r = new Replay();
        apps.forEach(r::apply);
        return r;
    }

    private void apply(App a) {
        String city = a.cmd().invoke().city();
        Long value = a.cmd().invoke().value();
        switch (a.cmd().kind()) {
            case "AddCity" -> {
                if (!live.containsKey(city)) {
                    live.put(city, new Lineage(a, city, value == null ? 0 : value));
                    removedBy.remove(city);
                }
            }
            case "UpdateName" -> {
                String newName = a.cmd().invoke().newName();
                Lineage l = live.get(city);
                if (l != null && newName != null && !live.containsKey(newName)) {
                    live.remove(city);
                    removedBy.put(city, a);
                    removedBy.remove(newName);
                    l.name = newName;
                    l.nameSetter = a;
                    live.put(newName, l);
                }
            }
            case "UpdateNumber" -> {
                Lineage l = live.get(city);
                if (l != null && value != null) {
                    l.count = value;
                    l.countSetter = a;
                    l.countsSet.add(value);
                }
            }
            case "DeleteCity" -> {
                if (live.remove(city) != null) {
                    removedBy.put(city, a);
                }
            }
            default -> {
                // not a write: nothing to replay (a record of it is reported elsewhere)
            }
        }
    }
}
