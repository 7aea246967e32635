package fulcrum.informant.bulk;

import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Which earlier lines of a bulk input a line must wait for before it is sent, so that many
 * commands are in flight and yet the input means what it says read top to bottom.
 *
 * <ul>
 *   <li><b>Same city, input order.</b> A line waits for the last earlier line that names one of its
 *       cities on its planet (the city, and for {@code UpdateName} the new name too): an
 *       {@code UpdateNumber} after the {@code AddCity} of its city is applied after it, a rename
 *       before the next use of the new name. Lines on other cities go in parallel.</li>
 *   <li><b>A planet the session has no replica for goes first alone.</b> Until one answer gives the
 *       session a replica for a planet, its later lines wait for the planet's first ("opening")
 *       line. Without that, parallel writes to a new planet would be spread over the replicas by
 *       their ids, create the planet concurrently on several, and leave the session with a clock
 *       that no single replica holds until they merge (so the next lines would be refused as
 *       {@code STALE}). After it, every write of the planet carries the session's replica and goes
 *       there first.</li>
 * </ul>
 * Pure: lines are identified by their index in the input; the caller says which are settled.
 */
public final class LineOrdering {
    private final Map<String, Integer> lastOnCity = new HashMap<>();
    private final Map<String, Integer> openerOfPlanet = new HashMap<>();

    /**
     * The indices of the earlier lines line {@code index} must wait for; call it for every line, in
     * input order.
     *
     * @param planetKnown whether the session has a replica for the command's planet now
     * @param settled     whether an earlier line has its answer
     */
    public List<Integer> predecessors(int index, Command command, boolean planetKnown, IntPredicate settled) {
        List<Integer> waits = new ArrayList<>(3);
        for (String key : cityKeys(command)) {
            Integer previous = lastOnCity.put(key, index);
            if (previous != null && !waits.contains(previous)) {
                waits.add(previous);
            }
        }
        if (!planetKnown) {
            Integer opener = openerOfPlanet.get(command.planet());
            if (opener != null && !settled.test(opener)) {
                if (!waits.contains(opener)) {
                    waits.add(opener);
                }
            } else {
                // No opener yet, or it settled without giving the session a replica (refused or unknown).
                openerOfPlanet.put(command.planet(), index);
            }
        }
        return waits;
    }

    private static List<String> cityKeys(Command command) {
        String prefix = command.planet() + '\u0000';
        if (command.kind() == CommandKind.UpdateName) {
            return List.of(prefix + command.city(), prefix + command.newName());
        }
        return List.of(prefix + command.city());
    }
}
