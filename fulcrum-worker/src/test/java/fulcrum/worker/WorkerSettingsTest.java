package fulcrum.worker;

import static org.assertj.core.api.Assertions.assertThat;

import fulcrum.core.node.NodeConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Unit test of the settings the worker hands its node (no broker, no store). */
class WorkerSettingsTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void theNodeKeepsAsManyAnswersAsAQuarterOfTheHeapHolds() {
        WorkerSettings settings = new WorkerSettings("fulcrum-1", 3, "amqp://127.0.0.1:5672", 8, 4, Duration.ofSeconds(5));

        assertThat(settings.nodeConfig(1, 1, 96 * MIB).maxKeptAnswers()).isEqualTo(98_304);
        assertThat(settings.nodeConfig(1, 1, 4096 * MIB).maxKeptAnswers()).isEqualTo(NodeConfig.MAX_KEPT_ANSWERS);
        assertThat(settings.nodeConfig(1, 1).maxKeptAnswers())
                .isEqualTo(NodeConfig.keptAnswersForHeap(Runtime.getRuntime().maxMemory()));
    }
}
