package fulcrum.core.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void aQuarterOfTheHeapGoesToKeptAnswersUpToTheMost() {
        assertThat(NodeConfig.keptAnswersForHeap(256 * MIB)).isEqualTo(NodeConfig.MAX_KEPT_ANSWERS);
        assertThat(NodeConfig.keptAnswersForHeap(8 * 1024 * MIB)).isEqualTo(NodeConfig.MAX_KEPT_ANSWERS);
        assertThat(NodeConfig.keptAnswersForHeap(96 * MIB)).isEqualTo(98_304);
        assertThat(NodeConfig.keptAnswersForHeap(0)).as("at least one").isEqualTo(1);
    }

    @Test
    void theDefaultsKeepTheMostAndNoneIsRefused() {
        NodeConfig config = NodeConfig.defaults("A", List.of("A", "B"), 1, 1);
        assertThat(config.maxKeptAnswers()).isEqualTo(NodeConfig.MAX_KEPT_ANSWERS);
        assertThat(config.withMaxKeptAnswers(7).maxKeptAnswers()).isEqualTo(7);
        assertThat(config.withMaxKeptAnswers(7).withPendingCapacity(3).maxKeptAnswers()).as("kept by the other withs").isEqualTo(7);
        assertThatThrownBy(() -> config.withMaxKeptAnswers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one answer");
    }
}
