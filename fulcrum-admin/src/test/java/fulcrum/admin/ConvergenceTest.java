package fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.admin.Convergence.Lag;
import fulcrum.core.protocol.ReplicaStatus;
import fulcrum.core.protocol.ReplicaStatus.JoinProgress;
import fulcrum.core.store.Phase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvergenceTest {
    private static final List<String> THREE = List.of("fulcrum-1", "fulcrum-2", "fulcrum-3");

    static ReplicaStatus status(String replica, Map<String, Long> applied) {
        return new ReplicaStatus(replica, 7, Phase.SERVING, applied, 0, Map.of(), Map.of(), null);
    }

    static ReplicaStatus joining(String replica, Map<String, Long> applied, JoinProgress join) {
        return new ReplicaStatus(replica, 8, Phase.JOINING, applied, 0, Map.of(), Map.of(), join);
    }

    static Map<String, ReplicaStatus> latest(ReplicaStatus... statuses) {
        Map<String, ReplicaStatus> map = new HashMap<>();
        for (ReplicaStatus s : statuses) {
            map.put(s.replica(), s);
        }
        return map;
    }

    @Test
    void sameVectorEverywhereIsConverged() {
        Map<String, Long> v = Map.of("fulcrum-1", 1L, "fulcrum-2", 1L);
        Convergence.Verdict verdict = Convergence.decide(THREE,
                latest(status("fulcrum-1", v), status("fulcrum-2", v), status("fulcrum-3", v)));
        assertThat(verdict.converged()).isTrue();
        assertThat(verdict.silent()).isEmpty();
        assertThat(verdict.notServing()).isEmpty();
        assertThat(verdict.differing()).isEmpty();
        assertThat(verdict.target()).isEqualTo(v);
    }

    @Test
    void anEmptyClusterHasConvergedOnceEveryoneAnnouncedServing() {
        assertThat(Convergence.decide(THREE, latest(status("fulcrum-1", Map.of()), status("fulcrum-2", Map.of()),
                status("fulcrum-3", Map.of()))).converged()).isTrue();
    }

    @Test
    void aJoiningReplicaHasNotConvergedEvenWithTheSameVector() {
        Map<String, Long> v = Map.of("fulcrum-1", 4L);
        JoinProgress copying = new JoinProgress("copying", "fulcrum-1", 2, 900, 0);
        Convergence.Verdict verdict = Convergence.decide(THREE,
                latest(status("fulcrum-1", v), joining("fulcrum-2", v, copying), status("fulcrum-3", v)));
        assertThat(verdict.converged()).isFalse();
        assertThat(verdict.silent()).isEmpty();
        assertThat(verdict.differing()).isEmpty();
        assertThat(verdict.notServing()).containsOnlyKeys("fulcrum-2");
        assertThat(verdict.notServing().get("fulcrum-2").join()).isEqualTo(copying);
    }

    @Test
    void aJoiningReplicaBehindIsBothNotServingAndDiffering() {
        Map<String, Long> v = Map.of("fulcrum-1", 4L, "fulcrum-3", 2L);
        Convergence.Verdict verdict = Convergence.decide(THREE, latest(status("fulcrum-1", v), status("fulcrum-2", v),
                joining("fulcrum-3", Map.of(), new JoinProgress("asking", null, 0, 0, 0))));
        assertThat(verdict.notServing()).containsOnlyKeys("fulcrum-3");
        assertThat(verdict.differing()).containsOnlyKeys("fulcrum-3");
        assertThat(verdict.lags().get("fulcrum-3")).containsExactly(new Lag("fulcrum-1", 0, 4), new Lag("fulcrum-3", 0, 2));
    }

    @Test
    void aMissingOriginCountsAsZero() {
        Convergence.Verdict verdict = Convergence.decide(THREE, latest(
                status("fulcrum-1", Map.of("fulcrum-1", 2L, "fulcrum-3", 0L)),
                status("fulcrum-2", Map.of("fulcrum-1", 2L)),
                status("fulcrum-3", Map.of("fulcrum-1", 2L, "fulcrum-2", 0L, "fulcrum-3", 0L))));
        assertThat(verdict.converged()).isTrue();
        assertThat(verdict.target()).containsExactly(Map.entry("fulcrum-1", 2L));
    }

    @Test
    void aSilentReplicaIsNamedEvenWhenTheOthersAgree() {
        Map<String, Long> v = Map.of("fulcrum-1", 3L);
        Convergence.Verdict verdict = Convergence.decide(THREE, latest(status("fulcrum-1", v), status("fulcrum-3", v)));
        assertThat(verdict.converged()).isFalse();
        assertThat(verdict.silent()).containsExactly("fulcrum-2");
        assertThat(verdict.differing()).isEmpty();
    }

    @Test
    void nobodyAnnouncedMeansEveryoneIsSilent() {
        Convergence.Verdict verdict = Convergence.decide(THREE, Map.of());
        assertThat(verdict.converged()).isFalse();
        assertThat(verdict.silent()).isEqualTo(THREE);
        assertThat(verdict.target()).isEmpty();
    }

    @Test
    void aLaggingReplicaIsNamedWithWhatItLacks() {
        Map<String, Long> full = Map.of("fulcrum-1", 2L, "fulcrum-2", 1L);
        Convergence.Verdict verdict = Convergence.decide(THREE, latest(status("fulcrum-1", full), status("fulcrum-2", full),
                status("fulcrum-3", Map.of("fulcrum-2", 1L))));
        assertThat(verdict.converged()).isFalse();
        assertThat(verdict.silent()).isEmpty();
        assertThat(verdict.differing()).containsOnlyKeys("fulcrum-3");
        assertThat(verdict.differing().get("fulcrum-3")).isEqualTo(Map.of("fulcrum-2", 1L));
        assertThat(verdict.lags().get("fulcrum-3")).containsExactly(new Lag("fulcrum-1", 0, 2));
        assertThat(verdict.lags().get("fulcrum-3").get(0).behind()).isEqualTo(2);
    }

    @Test
    void incomparableVectorsNameEveryReplicaShortOfTheJoin() {
        Convergence.Verdict verdict = Convergence.decide(THREE, latest(
                status("fulcrum-1", Map.of("fulcrum-1", 1L)),
                status("fulcrum-2", Map.of("fulcrum-2", 1L)),
                status("fulcrum-3", Map.of("fulcrum-1", 1L, "fulcrum-2", 1L))));
        assertThat(verdict.target()).isEqualTo(Map.of("fulcrum-1", 1L, "fulcrum-2", 1L));
        assertThat(verdict.differing()).containsOnlyKeys("fulcrum-1", "fulcrum-2");
        assertThat(verdict.lags().get("fulcrum-1")).containsExactly(new Lag("fulcrum-2", 0, 1));
        assertThat(verdict.lags().get("fulcrum-2")).containsExactly(new Lag("fulcrum-1", 0, 1));
    }

    @Test
    void announcementsOfUnexpectedReplicasAreIgnored() {
        Map<String, Long> v = Map.of("fulcrum-1", 1L);
        Convergence.Verdict verdict = Convergence.decide(List.of("fulcrum-1"),
                latest(status("fulcrum-1", v), status("fulcrum-9", Map.of("fulcrum-9", 7L)),
                        joining("fulcrum-8", Map.of(), null)));
        assertThat(verdict.converged()).isTrue();
        assertThat(verdict.target()).isEqualTo(v);
    }

    @Test
    void conflictCountsPublishedMarksFloorsAndIncarnationsDoNotDecide() {
        Map<String, Long> v = Map.of("fulcrum-1", 4L);
        Convergence.Verdict verdict = Convergence.decide(List.of("fulcrum-1", "fulcrum-2"), latest(
                new ReplicaStatus("fulcrum-1", 3, Phase.SERVING, v, 4, Map.of("fulcrum-1", 4L), Map.of("NAME_LOST", 2L), null),
                new ReplicaStatus("fulcrum-2", 9, Phase.SERVING, v, 0, Map.of(), Map.of(), null)));
        assertThat(verdict.converged()).isTrue();
    }
}
