package fulcrum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunSettingsTest {
    private static RunSettings defaults(boolean quick) {
        return RunSettings.resolve(quick, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void theFullRunMeasuresWhatTheIssueAsksFor() {
        RunSettings s = defaults(false);
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.planetSizes()).containsExactly(100, 10_000, 100_000);
        assertThat(s.mergeOperations()).isEqualTo(1_000_000);
        assertThat(s.restartCities()).isEqualTo(1_000_000);
        assertThat(s.heap()).isEqualTo("256m");
        assertThat(s.inFlightLevels()).containsExactly(64, 256, 1024);
        assertThat(s.heaviestInFlight()).isEqualTo(1024);
    }

    @Test
    void oneInFlightLevelMeasuresEachLoadOnceAndBadLevelsAreRefused() {
        RunSettings one = RunSettings.resolve(false, null, null, null, null, List.of(128), null, null, null, null, null, null, null);
        assertThat(one.inFlightLevels()).containsExactly(128);
        assertThat(one.describe()).containsEntry("in_flight_per_client", List.of(128));
        assertThatThrownBy(() -> RunSettings.resolve(false, null, null, null, null, List.of(64, 0), null, null, null, null, null, null,
                null)).hasMessageContaining("--in-flight must be positive");
        assertThatThrownBy(() -> RunSettings.resolve(false, null, null, null, null, List.of(), null, null, null, null, null, null,
                null)).hasMessageContaining("--in-flight");
    }

    @Test
    void quickShortensEverythingButAnExplicitOptionWins() {
        RunSettings q = defaults(true);
        assertThat(q.duration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(q.mergeOperations()).isLessThan(1_000_000);
        RunSettings explicit = RunSettings.resolve(true, Duration.ofSeconds(7), null, null, 3, null, null, null, List.of(10, 20),
                0L, null, 0, null);
        assertThat(explicit.duration()).isEqualTo(Duration.ofSeconds(7));
        assertThat(explicit.clients()).isEqualTo(3);
        assertThat(explicit.planetSizes()).containsExactly(10, 20);
        assertThat(explicit.mergeOperations()).isZero();
        assertThat(explicit.restartCities()).isZero();
        assertThat(explicit.describe()).containsEntry("clients", 3).containsKey("load_curve_percents");
    }

    @Test
    void badValuesAreRefusedWithTheOptionNamed() {
        assertThatThrownBy(() -> RunSettings.resolve(false, Duration.ZERO, null, null, null, null, null, null, null, null, null, null, null))
                .hasMessageContaining("--duration");
        assertThatThrownBy(() -> RunSettings.resolve(false, null, null, null, 0, null, null, null, null, null, null, null, null))
                .hasMessageContaining("--clients must be at least 1, got 0");
        assertThatThrownBy(() -> RunSettings.resolve(false, null, null, null, null, null, null, null, List.of(100, -1), null, null, null, null))
                .hasMessageContaining("--planet-sizes");
        assertThatThrownBy(() -> RunSettings.resolve(false, null, null, null, null, null, null, null, null, 2L, null, null, null))
                .hasMessageContaining("--merge-ops");
        assertThatThrownBy(() -> RunSettings.resolve(false, null, null, null, null, null, null, null, null, null, null, null, "lots"))
                .hasMessageContaining("--heap");
    }

    @Test
    void aFullRunWarmsUpUntilTheCompilersAreQuietAQuickOneDoesNot() {
        assertThat(defaults(false).warmupMax()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults(true).warmupMax()).as("quick: --warmup and no more").isEqualTo(defaults(true).warmup());
        RunSettings longer = RunSettings.resolve(false, null, null, Duration.ofMinutes(6), null, null, null, null, null, null, null,
                null, null);
        assertThat(longer.warmupMax()).as("a --warmup given is taken as it is").isEqualTo(Duration.ofMinutes(6));
        RunSettings shorter = RunSettings.resolve(false, null, null, Duration.ofSeconds(1), null, null, null, null, null, null, null,
                null, null);
        assertThat(shorter.warmupMax()).isEqualTo(Duration.ofSeconds(1));
        assertThat(shorter.withWarmupMax(Duration.ofMinutes(2)).warmupMax()).isEqualTo(Duration.ofMinutes(2));
        assertThat(defaults(false).withWarmupMax(Duration.ofSeconds(90)).warmupMax()).isEqualTo(Duration.ofSeconds(90));
        assertThat(defaults(false).describe()).containsEntry("warmup_max_seconds", 300.0);
        assertThatThrownBy(() -> defaults(false).withWarmupMax(Duration.ofSeconds(10)))
                .hasMessageContaining("--warmup-max must be at least --warmup (60 s), got 10 s");
    }

    @Test
    void writesAreBatchedLikeAnInformantsUnlessToldOtherwise() {
        assertThat(defaults(false).writeBatch()).isEqualTo(64);
        assertThat(defaults(false).withWriteBatch(null).writeBatch()).isEqualTo(64);
        RunSettings alone = defaults(true).withWriteBatch(1);
        assertThat(alone.writeBatch()).isEqualTo(1);
        assertThat(alone.duration()).as("the rest kept").isEqualTo(Duration.ofSeconds(5));
        assertThat(alone.describe()).containsEntry("write_batch_max", 1);
        assertThatThrownBy(() -> defaults(false).withWriteBatch(0)).hasMessageContaining("--write-batch must be 1..64, got 0");
        assertThatThrownBy(() -> defaults(false).withWriteBatch(65)).hasMessageContaining("--write-batch");
    }

    @Test
    void onlyApplyTakesOneReplicasShareOfTheMergesOperations() {
        RunSettings apply = RunSettings.resolve(false, null, null, null, null, null, null, null, null, null, null, null, null,
                RunSettings.Part.apply);
        assertThat(apply.applyEntries()).isEqualTo(333_334); // fulcrum-1's share of 1,000,000, as in the merge
        assertThat(apply.describe()).containsEntry("only", "apply");
        assertThatThrownBy(() -> RunSettings.resolve(true, null, null, null, null, null, null, null, null, 0L, null, null, null,
                RunSettings.Part.apply)).hasMessageContaining("--only apply needs --merge-ops");
    }

    @Test
    void onlyMergeIsNamedInTheParametersAndNeedsAMerge() {
        assertThat(defaults(false).only()).isEqualTo(RunSettings.Part.all);
        RunSettings merge = RunSettings.resolve(true, null, null, null, null, null, null, null, null, 3_000L, null, null, null,
                RunSettings.Part.merge);
        assertThat(merge.only()).isEqualTo(RunSettings.Part.merge);
        assertThat(merge.describe()).containsEntry("only", "merge").containsEntry("merge_operations", 3_000L);
        assertThatThrownBy(() -> RunSettings.resolve(true, null, null, null, null, null, null, null, null, 0L, null, null, null,
                RunSettings.Part.merge)).hasMessageContaining("--only merge needs --merge-ops");
    }

    @Test
    void onlyPlanetsMeasuresNoMergeSoItNeedsNone() {
        RunSettings planets = RunSettings.resolve(true, null, null, null, null, null, null, null, null, 0L, null, null, null,
                RunSettings.Part.planets);
        assertThat(planets.describe()).containsEntry("only", "planets").containsEntry("merge_operations", 0L);
    }
}
