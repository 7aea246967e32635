package fulcrum.common.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A URI handed to a child process loses its password to the child's environment. */
class SplitUriTest {
    @Test
    void thePasswordLeavesTheUriDecoded() {
        Amqp.SplitUri split = Amqp.splitPassword("amqp://fulcrum-1:s%40cr%3At+x@rabbit:5672/%2f");
        assertThat(split.uri()).isEqualTo("amqp://fulcrum-1@rabbit:5672/%2f");
        assertThat(split.password()).isEqualTo("s@cr:t+x");
    }

    @Test
    void aUriWithoutPasswordStaysAsItIs() {
        assertThat(Amqp.splitPassword("amqp://informant@rabbit/%2f")).isEqualTo(new Amqp.SplitUri("amqp://informant@rabbit/%2f", null));
        assertThat(Amqp.splitPassword("amqp://rabbit")).isEqualTo(new Amqp.SplitUri("amqp://rabbit", null));
    }

    @Test
    void notAUriIsRefusedWithoutEchoingThePassword() {
        assertThatThrownBy(() -> Amqp.splitPassword("amqp://u:secret@ho st/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret");
    }
}
