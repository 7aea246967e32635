package fulcrum.common.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.ConnectionFactory;
import fulcrum.common.cli.BrokerOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where the broker password comes from, and that no message carries it. */
class BrokerSecretsTest {
    @TempDir
    Path tmp;

    @Test
    void thePasswordComesFromTheVariableElseTheFileItNames() throws Exception {
        Path file = Files.writeString(tmp.resolve("password"), "from-file\nsecond line ignored\n");
        assertThat(BrokerSecrets.fromEnvironment(Map.of(BrokerSecrets.PASSWORD_FILE, file.toString())).password())
                .isEqualTo("from-file");
        assertThat(BrokerSecrets.fromEnvironment(Map.of(BrokerSecrets.PASSWORD, "from-variable",
                BrokerSecrets.PASSWORD_FILE, file.toString())).password()).isEqualTo("from-variable");
        assertThat(BrokerSecrets.fromEnvironment(Map.of()).password()).isNull();
        Path empty = Files.writeString(tmp.resolve("empty"), "");
        assertThatThrownBy(() -> BrokerSecrets.fromEnvironment(Map.of(BrokerSecrets.PASSWORD_FILE, empty.toString())))
                .hasMessageContaining("is empty");
    }

    @Test
    void theFactoryTakesTheSecretUnlessTheUriHasAPassword() {
        BrokerSecrets secrets = new BrokerSecrets("s3cret", TlsSettings.DEFAULTS);
        ConnectionFactory fromSecrets = Amqp.factory("amqp://fulcrum-1@broker:5672/%2f", secrets);
        assertThat(fromSecrets.getUsername()).isEqualTo("fulcrum-1");
        assertThat(fromSecrets.getPassword()).isEqualTo("s3cret");
        assertThat(Amqp.factory("amqp://u:inline@broker/%2f", secrets).getPassword()).isEqualTo("inline");
        assertThat(Amqp.factory("amqp://broker/%2f", BrokerSecrets.none()).getPassword()).isEqualTo("guest");
        assertThat(Amqp.userOf("amqp://broker/%2f")).isEqualTo("guest");
        assertThat(Amqp.userOf("amqps://leia:x@broker/%2f")).isEqualTo("leia");
    }

    @Test
    void amqpsVerifiesAndDefaultsToPort5671() {
        ConnectionFactory tls = Amqp.factory("amqps://leia@broker/%2f", BrokerSecrets.none());
        assertThat(tls.isSSL()).isTrue();
        assertThat(tls.getPort()).isEqualTo(5671);
        assertThat(Amqp.factory("amqps://leia@broker:6671/%2f", BrokerSecrets.none()).getPort()).isEqualTo(6671);
    }

    @Test
    void anInvalidUriIsReportedWithoutItsPassword() {
        assertThatThrownBy(() -> Amqp.factory("amqp://u:s3cret@[broken/%2f", BrokerSecrets.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("amqp://u:***@")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
        assertThatThrownBy(() -> Amqp.factory("http://u@broker/", new BrokerSecrets("s3cret", TlsSettings.DEFAULTS)))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
        assertThat(new BrokerSecrets("s3cret", TlsSettings.DEFAULTS).toString()).doesNotContain("s3cret");
    }

    @Test
    void aPasswordInUriIsWarnedAboutUnlessItIsGuests() {
        assertThat(warningsFor("--uri", "amqp://leia:s3cret@broker/%2f")).contains("visible to every user")
                .doesNotContain("s3cret");
        assertThat(warningsFor("--uri", "amqp://guest:guest@broker/%2f")).isEmpty();
        assertThat(warningsFor("--uri", "amqp://leia@broker/%2f")).isEmpty();
    }

    private static String warningsFor(String... args) {
        BrokerOptions options = new BrokerOptions();
        new CommandLine(options).parseArgs(args);
        StringWriter err = new StringWriter();
        options.resolve(new PrintWriter(err));
        return err.toString();
    }
}
