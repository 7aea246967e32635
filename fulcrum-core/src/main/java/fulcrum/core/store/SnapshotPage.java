package fulcrum.core.store;

import java.util.List;

/**
 * One page of a {@link SnapshotView}.
 *
 * @param nextCursor where the next page starts, or null when this page is the last
 */
public record SnapshotPage(List<PlanetClock> clocks, List<CityEntry> cities, List<CommandRecord> commands,
                           String nextCursor) {
    public SnapshotPage {
        clocks = List.copyOf(clocks);
        cities = List.copyOf(cities);
        commands = List.copyOf(commands);
    }

    public int size() {
        return clocks.size() + cities.size() + commands.size();
    }

    public boolean last() {
        return nextCursor == null;
    }
}
