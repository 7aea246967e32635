package fulcrum.core.protocol;

import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.IncarnationStart;
import fulcrum.core.store.PlanetClock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One page of a peer's snapshot. The first page ({@code pageNo} 0) carries the snapshot's meta: the
 * applied vector and the incarnation starts at the snapshot's point in time. {@code nextCursor} is
 * null on the last page. {@code error} (then nothing else) when the source cannot serve: it is not
 * serving, it does not know the join (restarted), too many joins at once, or a bad cursor.
 */
public record SnapshotChunk(String from, String to, String requestId, long pageNo, Map<String, Long> applied,
                            Map<String, List<IncarnationStart>> incarnations, List<PlanetClock> clocks,
                            List<CityEntry> cities, List<CommandRecord> commands, String nextCursor, String error)
        implements PeerMessage {
    public static final String TYPE = "SnapshotChunk";

    public SnapshotChunk {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(requestId, "requestId");
        applied = applied == null ? null : Map.copyOf(applied);
        incarnations = incarnations == null ? null : Map.copyOf(incarnations);
        clocks = clocks == null ? List.of() : List.copyOf(clocks);
        cities = cities == null ? List.of() : List.copyOf(cities);
        commands = commands == null ? List.of() : List.copyOf(commands);
    }

    public static SnapshotChunk error(String from, String to, String requestId, long pageNo, String error) {
        return new SnapshotChunk(from, to, requestId, pageNo, null, null, List.of(), List.of(), List.of(), null, error);
    }

    public boolean last() {
        return nextCursor == null;
    }

    public int items() {
        return clocks.size() + cities.size() + commands.size();
    }

    @Override
    public String type() {
        return TYPE;
    }
}
