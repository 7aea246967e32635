package fulcrum.core.node;

import fulcrum.core.clock.VectorClock;
import fulcrum.core.protocol.Delta;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Reply;
import fulcrum.core.store.MemoryStore;
import fulcrum.core.store.Phase;
import fulcrum.core.store.StoreBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every entry any replica of a simulated cluster ever committed, and the invariants over them: no
 * entry id taken by two different entries, no command id applied (a state-changing entry) twice, at
 * one replica or at two, and every serving replica's planet clock counting exactly the writes it
 * applied there. Entries a wiped replica never published are forgotten with its disk.
 */
final class SimTruth {
    private record Entry(Operation op, boolean escaped) {
    }

    private final List<String> ids;
    private final Map<String, TreeMap<Long, Entry>> byOrigin = new HashMap<>();
    private final Map<String, List<String>> applications = new HashMap<>(); // command id -> "origin#seq"
    final Map<String, Reply> acknowledged = new LinkedHashMap<>();

    SimTruth(List<String> ids) {
        this.ids = ids;
    }

    void committed(String replica, MemoryStore store, StoreBatch batch) {
        for (Operation op : batch.operations()) {
            TreeMap<Long, Entry> log = byOrigin.computeIfAbsent(op.origin(), o -> new TreeMap<>());
            Entry existing = log.get(op.originSeq());
            if (existing == null) {
                log.put(op.originSeq(), new Entry(op, !op.origin().equals(replica)));
                if (op.kind().changesState()) {
                    List<String> apps = applications.computeIfAbsent(op.commandId(), c -> new ArrayList<>());
                    apps.add(op.id());
                    if (apps.size() > 1) {
                        throw new AssertionError("command " + op.commandId() + " applied twice: " + apps);
                    }
                }
            } else if (!existing.op().equals(op)) {
                throw new AssertionError("entry id " + op.id() + " taken twice: " + existing.op() + " and, at " + replica
                        + ", " + op);
            }
        }
        if (store.meta().phase() == Phase.SERVING) {
            boolean all = batch.phase() == Phase.SERVING;
            for (String planet : all ? planets(store) : batch.clocks().keySet()) {
                checkClock(replica, store, planet);
            }
        }
    }

    private List<String> planets(MemoryStore store) {
        List<String> out = new ArrayList<>();
        store.planets().forEach(p -> out.add(p.name()));
        return out;
    }

    /** A serving replica's planet clock counts, per origin, exactly the entries it applied on the planet. */
    private void checkClock(String replica, MemoryStore store, String planet) {
        VectorClock clock = store.planetClock(planet);
        for (String origin : ids) {
            long applied = store.meta().applied(origin);
            long count = 0;
            for (Entry e : byOrigin.getOrDefault(origin, new TreeMap<>()).headMap(applied, true).values()) {
                if (e.op().planet().equals(planet) && e.op().kind().changesState()) {
                    count++;
                }
            }
            if (clock.get(origin) != count) {
                throw new AssertionError(replica + "'s clock of " + planet + " is " + clock + " but it applied " + count
                        + " write(s) of " + origin + " there (applied " + store.meta().appliedSeq() + ")");
            }
        }
    }

    void escaped(Delta delta) {
        TreeMap<Long, Entry> log = byOrigin.get(delta.origin());
        for (Operation op : delta.operations()) {
            Entry e = log == null ? null : log.get(op.originSeq());
            if (e == null || !e.op().equals(op)) {
                throw new AssertionError("published entry " + op.id() + " was never committed as such: " + op);
            }
            log.put(op.originSeq(), new Entry(op, true));
        }
    }

    /** A wiped replica's entries that never left it are gone: their ids may be taken again. */
    void forgetUnescaped(String origin) {
        TreeMap<Long, Entry> log = byOrigin.get(origin);
        if (log == null) {
            return;
        }
        log.values().removeIf(e -> {
            if (e.escaped()) {
                return false;
            }
            List<String> apps = applications.get(e.op().commandId());
            if (apps != null) {
                apps.remove(e.op().id());
            }
            return true;
        });
    }
}
