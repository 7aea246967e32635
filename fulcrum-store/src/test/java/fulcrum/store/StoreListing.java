package fulcrum.store;

import fulcrum.core.replica.City;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.store.CommandRecord;
import java.util.TreeSet;

/**
 * Everything a store holds, through its read API only, as text: what a format migration must keep
 * unchanged (the same listing before and after it, whatever the bytes on disk).
 */
final class StoreListing {
    private StoreListing() {
    }

    static String of(RocksBase store, String... moreCommandIds) {
        StringBuilder out = new StringBuilder();
        out.append("meta ").append(store.meta()).append('\n');
        TreeSet<String> commandIds = new TreeSet<>(java.util.List.of(moreCommandIds));
        for (Planet planet : store.planets()) {
            out.append("planet ").append(planet.name()).append(' ').append(store.planetClock(planet.name()).asMap()).append('\n');
            for (City city : planet.cities().values()) {
                out.append("  city ").append(city).append('\n');
                if (city.isLive()) {
                    out.append("    named ").append(store.cityIdsNamed(planet.name(), city.name().value())).append('\n');
                }
            }
        }
        for (Operation op : store.allOperations()) {
            out.append("op ").append(op).append('\n');
            commandIds.add(op.commandId());
        }
        for (CommandRecord record : store.allCommandRecords()) {
            out.append("record ").append(record).append('\n');
            commandIds.add(record.commandId());
        }
        for (String commandId : commandIds) {
            out.append("command ").append(commandId).append(" records ").append(store.commandRecords(commandId))
                    .append(" reply ").append(store.reply(commandId)).append('\n');
        }
        return out.toString();
    }
}
