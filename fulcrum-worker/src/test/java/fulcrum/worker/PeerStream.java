package fulcrum.worker;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.OpKind;
import fulcrum.core.replica.Operation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a stand-in replica accepts: op-log entries numbered on in its stream, each with the clock
 * its planet has at that replica right after the write (its own writes plus what it was told it saw).
 */
final class PeerStream {
    final String origin;
    final long incarnation;
    private long seq;
    private final Map<String, VectorClock> clocks = new HashMap<>();

    PeerStream(String origin, long incarnation) {
        this.origin = origin;
        this.incarnation = incarnation;
    }

    Operation addCity(String planet, String city, long rebels) {
        return write(planet, OpKind.AddCity, Operation.cityIdOf(origin, seq + 1), city, rebels);
    }

    Operation updateNumber(String planet, String cityId, long rebels) {
        return write(planet, OpKind.UpdateNumber, cityId, null, rebels);
    }

    /** The planet's clock at this replica now includes {@code clock} (it applied those writes). */
    PeerStream saw(String planet, VectorClock clock) {
        clocks.merge(planet, clock, VectorClock::merge);
        return this;
    }

    long lastSeq() {
        return seq;
    }

    private Operation write(String planet, OpKind kind, String cityId, String name, Long rebels) {
        seq++;
        VectorClock clock = clocks.getOrDefault(planet, VectorClock.empty()).increment(origin);
        clocks.put(planet, clock);
        return new Operation(origin, incarnation, seq, planet, kind, cityId, name, rebels, clock, origin + "-cmd-" + seq);
    }

    static Delta delta(Operation... entries) {
        return new Delta(entries[0].origin(), List.of(entries));
    }
}
