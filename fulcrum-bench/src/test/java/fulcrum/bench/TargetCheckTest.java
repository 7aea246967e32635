package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TargetCheckTest {
    private static Map<String, TargetCheck> byName(List<TargetCheck> checks) {
        return checks.stream().collect(Collectors.toMap(TargetCheck::name, Function.identity()));
    }

    @Test
    void eachTargetIsJudgedOnItsLimit() {
        Map<String, TargetCheck> t = byName(TargetCheck.evaluate(
                new TargetCheck.Measured(0.5, 3.5, 0.79, 9.9, 9.9, 1_000_000, 2.0, 1_000_000, 300)));
        assertThat(t.get("throughput_ratio").met()).isTrue(); // >= 0.5, at the limit
        assertThat(t.get("p99_latency_ratio").met()).isFalse(); // 3.5 > 3
        assertThat(t.get("planet_size_ratio").met()).isFalse(); // 0.79 < 0.8
        assertThat(t.get("merge_seconds").met()).isTrue();
        assertThat(t.get("restart_to_serving_seconds").met()).isTrue(); // <= 2, at the limit
        assertThat(t.get("worker_heap_mib").met()).isFalse(); // 300 > 256
        assertThat(t.get("worker_heap_mib").value()).isEqualTo(300);
        assertThat(t.get("worker_heap_mib").comparison()).isEqualTo("<=");
        assertThat(t.get("throughput_ratio").comparison()).isEqualTo(">=");
    }

    @Test
    void aValueNotMeasuredIsNeverMet() {
        Map<String, TargetCheck> t = byName(TargetCheck.evaluate(new TargetCheck.Measured(Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, 0, Double.NaN, 0, Double.NaN)));
        assertThat(t.values()).hasSize(6).noneMatch(TargetCheck::met);
    }

    @Test
    void aMergeThatDidNotConvergeIsNotMetAndShowsTheTimeWaited() {
        TargetCheck merge = byName(TargetCheck.evaluate(new TargetCheck.Measured(1, 1, 1, Double.NaN, 600, 1_000_000, 1,
                1_000_000, 10))).get("merge_seconds");
        assertThat(merge.met()).isFalse();
        assertThat(merge.value()).isEqualTo(600);
        assertThat(merge.description()).contains("NOT converged");
    }
}
