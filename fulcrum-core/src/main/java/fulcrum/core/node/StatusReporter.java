package fulcrum.core.node;

import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.store.Phase;
import java.util.TreeMap;

/**
 * When to announce this replica's status, and what. Announcements are throttled: at most one per
 * {@code statusMinGapMillis} when something changed, one per {@code statusIntervalMillis} anyway,
 * and one at once when a merge round asks for it.
 */
final class StatusReporter {
    private final NodeConfig config;
    private final NodeState state;
    private final EntryApplier applier;
    private final JoinProcess join;
    private long lastMillis = Long.MIN_VALUE / 2;
    private boolean dirty = true;
    private boolean forced;

    StatusReporter(NodeConfig config, NodeState state, EntryApplier applier, JoinProcess join) {
        this.config = config;
        this.state = state;
        this.applier = applier;
        this.join = join;
    }

    /** Something a peer or an operator would want to know changed. */
    void changed() {
        dirty = true;
    }

    /** A merge round wants an announcement now. */
    void force() {
        forced = true;
    }

    /** The announcement due at {@code now}, or null; taking it resets the throttle. */
    ReplicaStatus take(long now) {
        if (state.phase == Phase.NEW) {
            return null;
        }
        long since = now - lastMillis;
        if (!forced && since < config.statusIntervalMillis() && !(dirty && since >= config.statusMinGapMillis())) {
            return null;
        }
        lastMillis = now;
        dirty = false;
        forced = false;
        TreeMap<String, Long> conflicts = new TreeMap<>();
        applier.conflicts().forEach((k, v) -> {
            if (v > 0) {
                conflicts.put(k.name(), v);
            }
        });
        return new ReplicaStatus(config.self(), state.incarnation, state.phase, state.applied(), state.published,
                state.compacted(), conflicts, join.progress());
    }
}
