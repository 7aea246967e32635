package fulcrum.store;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.replica.City;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.CommandRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Small hand-made values for store tests: clocks of three replicas, ops, the cities they make. */
final class Sample {
    static final String R1 = "fulcrum-1";
    static final String R2 = "fulcrum-2";
    static final String R3 = "fulcrum-3";

    private Sample() {
    }

    static VectorClock clock(long r1, long r2, long r3) {
        TreeMap<String, Long> m = new TreeMap<>();
        m.put(R1, r1);
        m.put(R2, r2);
        m.put(R3, r3);
        return VectorClock.of(m);
    }

    static Operation add(String origin, long seq, String planet, String name, long rebels, VectorClock clock) {
        return new Operation(origin, 1, seq, planet, OpKind.AddCity, Operation.cityIdOf(origin, seq), name, rebels,
                clock, "cmd-" + origin + "-" + seq);
    }

    static Operation rename(String origin, long seq, String planet, String cityId, String name, VectorClock clock) {
        return new Operation(origin, 1, seq, planet, OpKind.UpdateName, cityId, name, null, clock,
                "cmd-" + origin + "-" + seq);
    }

    static Operation refusal(String origin, long seq, String planet, VectorClock clock, String commandId) {
        return new Operation(origin, 1, seq, planet, OpKind.Refusal, null, null, null, clock, commandId);
    }

    static City city(Operation... ops) {
        City city = null;
        for (Operation op : ops) {
            city = City.applying(city, op);
        }
        return city;
    }

    static CommandRecord record(Operation op) {
        return CommandRecord.of(op);
    }

    static Reply ok(String planet, String city, VectorClock clock) {
        return Reply.success(CommandKind.AddCity, planet, city, R1, clock, null);
    }

    static Reply stale(String planet, String city) {
        return Reply.failure(CommandKind.AddCity, planet, city, R1, clock(0, 0, 0), ErrorCode.STALE,
                "replica fulcrum-1 has [0,0,0], the session needs [0,1,0]");
    }

    static <T> List<T> list(Iterable<T> items) {
        List<T> out = new ArrayList<>();
        items.forEach(out::add);
        return out;
    }
}
