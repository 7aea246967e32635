package fulcrum.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fulcrum.testkit.TestBroker.Kind;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Pure logic: which broker the tests take, from the environment and what the machine has. */
class TestBrokerChoiceTest {
    private static final BooleanSupplier DOCKER = () -> true;
    private static final BooleanSupplier NO_DOCKER = () -> false;

    @Test
    void anExternalUriWinsOverEverything() {
        Map<String, String> env = Map.of(TestBroker.EXTERNAL_URI_VARIABLE, "amqp://u:p@broker:5672/%2f",
                TestBroker.CHOICE_VARIABLE, "container");
        assertThat(TestBroker.choose(env, true, DOCKER)).isEqualTo(Kind.EXTERNAL);
    }

    @Test
    void byDefaultAContainerWhenDockerAnswersElseThePrivateNode() {
        assertThat(TestBroker.choose(Map.of(), true, DOCKER)).isEqualTo(Kind.CONTAINER);
        assertThat(TestBroker.choose(Map.of(), true, NO_DOCKER)).isEqualTo(Kind.PRIVATE_NODE);
        assertThat(TestBroker.choose(Map.of(TestBroker.EXTERNAL_URI_VARIABLE, " "), true, NO_DOCKER)).isEqualTo(Kind.PRIVATE_NODE);
    }

    @Test
    void dockerIsNotAskedWithoutTestcontainersOrWhenThePrivateNodeIsForced() {
        AtomicBoolean asked = new AtomicBoolean();
        BooleanSupplier probe = () -> {
            asked.set(true);
            return true;
        };
        assertThat(TestBroker.choose(Map.of(), false, probe)).isEqualTo(Kind.PRIVATE_NODE);
        assertThat(TestBroker.choose(Map.of(TestBroker.CHOICE_VARIABLE, "private"), true, probe)).isEqualTo(Kind.PRIVATE_NODE);
        assertThat(asked).isFalse();
    }

    @Test
    void aForcedContainerNeedsTestcontainersAndAnUnknownChoiceIsRefused() {
        assertThat(TestBroker.choose(Map.of(TestBroker.CHOICE_VARIABLE, "Container"), true, NO_DOCKER)).isEqualTo(Kind.CONTAINER);
        assertThatThrownBy(() -> TestBroker.choose(Map.of(TestBroker.CHOICE_VARIABLE, "container"), false, DOCKER))
                .hasMessageContaining("Testcontainers is not on the class path");
        assertThatThrownBy(() -> TestBroker.choose(Map.of(TestBroker.CHOICE_VARIABLE, "docker"), true, DOCKER))
                .hasMessageContaining("must be auto, private or container, not 'docker'");
    }
}
