package fulcrum.admin;

import fulcrum.common.wire.MergeMessages;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The pure decision of {@code fulcrum-admin merge}: given the latest {@link MergeMessages.Status}
 * each replica announced after the request, have the replicas converged?
 *
 * <p>Converged means every expected replica announced and all of them carry the same applied
 * vector (highest originSeq applied, per origin). An origin missing from a vector counts as 0, so
 * {@code {}} and {@code {fulcrum-1=0}} are the same vector. A replica's own writes are in its own
 * entry, so equal vectors mean every replica has applied every operation any of them accepted.
 *
 * <p>When not converged, the verdict names the replicas that did not announce and those whose
 * vector differs from the {@linkplain Verdict#target() target}: the entry-wise maximum of all
 * announced vectors, i.e. what every replica will have applied once it has everything it has been
 * told about. A differing replica is therefore one that lacks some operations (or, in the rare
 * case of incomparable vectors, every replica short of the maximum is named).
 */
public final class Convergence {
    private Convergence() {
    }

    /** What one differing replica lacks: per origin, the highest seq it applied and the target's. */
    public record Lag(String origin, long applied, long target) {
    }

    /**
     * @param expected  the replicas that must announce, in display order
     * @param silent    expected replicas with no announcement
     * @param differing expected replicas whose vector is not the target, each with its vector
     * @param lags      per differing replica, the origins where it is behind the target
     * @param target    entry-wise maximum of the announced vectors (zero entries dropped)
     */
    public record Verdict(List<String> expected, List<String> silent, Map<String, Map<String, Long>> differing,
                          Map<String, List<Lag>> lags, Map<String, Long> target) {
        public boolean converged() {
            return silent.isEmpty() && differing.isEmpty();
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

    /**
     * Decides from the latest announcement per replica (keys: replica ids). Announcements of
     * replicas outside {@code expected} are ignored.
     */
    public static Verdict decide(List<String> expected, Map<String, MergeMessages.Status> latest) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(latest, "latest");
        List<String> silent = new ArrayList<>();
        Map<String, Map<String, Long>> announced = new LinkedHashMap<>();
        for (String id : expected) {
            MergeMessages.Status status = latest.get(id);
            if (status == null) {
                silent.add(id);
            } else {
                announced.put(id, normalise(status.applied()));
            }
        }
        Map<String, Long> target = new TreeMap<>();
        announced.values().forEach(v -> v.forEach((origin, seq) -> target.merge(origin, seq, Math::max)));
        Map<String, Map<String, Long>> differing = new LinkedHashMap<>();
        Map<String, List<Lag>> lags = new LinkedHashMap<>();
        announced.forEach((id, vector) -> {
            if (!vector.equals(target)) {
                differing.put(id, vector);
                List<Lag> behind = new ArrayList<>();
                target.forEach((origin, seq) -> {
                    long have = vector.getOrDefault(origin, 0L);
                    if (have < seq) {
                        behind.add(new Lag(origin, have, seq));
                    }
                });
                lags.put(id, List.copyOf(behind));
            }
        });
        return new Verdict(List.copyOf(expected), List.copyOf(silent), Collections.unmodifiableMap(differing),
                Collections.unmodifiableMap(lags), Collections.unmodifiableMap(target));
    }
}
