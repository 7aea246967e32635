package fulcrum.admin;

import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.store.Phase;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The pure decision of {@code fulcrum-admin merge}: given the latest {@link ReplicaStatus} each
 * replica announced after the request, have the replicas converged?
 *
 * <p>Converged means every expected replica announced, every one of them is
 * {@linkplain Phase#SERVING serving}, and all of them carry the same applied vector (highest
 * sequence number applied, per origin). An origin missing from a vector counts as 0, so {@code {}}
 * and {@code {fulcrum-1=0}} are the same vector. A replica's own writes are in its own entry, so
 * equal vectors mean every replica has applied every entry any of them wrote. A replica that joins
 * (a new store, or one that lost its disk) has not converged, whatever its vector says: its state
 * is partial until it serves.
 *
 * <p>When not converged, the verdict names the replicas that did not announce, those that do not
 * serve (with their phase and join progress), and those whose vector differs from the
 * {@linkplain Verdict#target() target}: the entry-wise maximum of all announced vectors, i.e. what
 * every replica will have applied once it has everything any of them announced. A differing
 * replica is therefore one that lacks some entries (or, in the rare case of incomparable vectors,
 * every replica short of the maximum is named).
 */
public final class Convergence {
    private Convergence() {
    }

    /** What one replica lacks of one origin: the highest sequence number it applied and the target's. */
    public record Lag(String origin, long applied, long target) {
        public long behind() {
            return target - applied;
        }
    }

    /**
     * @param expected   the replicas that must announce, in display order
     * @param silent     expected replicas with no announcement
     * @param notServing expected replicas whose latest announcement is not SERVING, with it
     * @param differing  expected replicas whose vector is not the target, each with its vector
     * @param lags       per differing replica, the origins where it is behind the target
     * @param target     entry-wise maximum of the announced vectors (zero entries dropped)
     */
    public record Verdict(List<String> expected, List<String> silent, Map<String, ReplicaStatus> notServing,
                          Map<String, Map<String, Long>> differing, Map<String, List<Lag>> lags, Map<String, Long> target) {
        public boolean converged() {
            return silent.isEmpty() && notServing.isEmpty() && differing.isEmpty();
        }
    }

    /** The vector without zero (or negative) entries, sorted by origin. */
    public static Map<String, Long> normalise(Map<String, Long> applied) {
        Map<String, Long> out = new TreeMap<>();
        if (applied != null) {
            applied.forEach((origin, seq) -> {
                if (seq != null && seq > 0) {
                    out.put(origin, seq);
                }
            });
        }
        return out;
    }

    /** Entry-wise maximum of the announced applied vectors (zero entries dropped). */
    public static Map<String, Long> target(Collection<ReplicaStatus> announced) {
        Map<String, Long> target = new TreeMap<>();
        announced.forEach(s -> normalise(s.applied()).forEach((origin, seq) -> target.merge(origin, seq, Math::max)));
        return target;
    }

    /** Per origin of {@code target}, where {@code applied} is short of it (in origin order). */
    public static List<Lag> lags(Map<String, Long> applied, Map<String, Long> target) {
        List<Lag> behind = new ArrayList<>();
        target.forEach((origin, seq) -> {
            long have = applied.getOrDefault(origin, 0L);
            if (have < seq) {
                behind.add(new Lag(origin, have, seq));
            }
        });
        return List.copyOf(behind);
    }

    /**
     * Decides from the latest announcement per replica (keys: replica ids). Announcements of
     * replicas outside {@code expected} are ignored.
     */
    public static Verdict decide(List<String> expected, Map<String, ReplicaStatus> latest) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(latest, "latest");
        List<String> silent = new ArrayList<>();
        Map<String, ReplicaStatus> announced = new LinkedHashMap<>();
        for (String id : expected) {
            ReplicaStatus status = latest.get(id);
            if (status == null) {
                silent.add(id);
            } else {
                announced.put(id, status);
            }
        }
        Map<String, Long> target = target(announced.values());
        Map<String, ReplicaStatus> notServing = new LinkedHashMap<>();
        Map<String, Map<String, Long>> differing = new LinkedHashMap<>();
        Map<String, List<Lag>> lags = new LinkedHashMap<>();
        announced.forEach((id, status) -> {
            if (status.phase() != Phase.SERVING) {
                notServing.put(id, status);
            }
            Map<String, Long> vector = normalise(status.applied());
            if (!vector.equals(target)) {
                differing.put(id, vector);
                lags.put(id, lags(vector, target));
            }
        });
        return new Verdict(List.copyOf(expected), List.copyOf(silent), Collections.unmodifiableMap(notServing),
                Collections.unmodifiableMap(differing), Collections.unmodifiableMap(lags), Collections.unmodifiableMap(target));
    }
}
