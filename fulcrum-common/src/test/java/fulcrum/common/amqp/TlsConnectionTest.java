package fulcrum.common.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.Connection;
import fulcrum.testkit.PrivateRabbitNode;
import fulcrum.testkit.TestBroker;
import fulcrum.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * amqps verifies: against a private node with a TLS listener whose certificate a CA made here
 * signed for host name {@code localhost} only, a client trusting that CA connects, a client
 * trusting another CA (or only the JVM's CAs) or naming the host otherwise is refused, and a client
 * certificate can be presented. No message of a refusal carries a password.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsConnectionTest {
    private static final String PASSWORD = "guest";
    private static final String STORE_PASSWORD = "store-secret";

    @TempDir
    static Path tmp;

    private PrivateRabbitNode node;
    private TestCertificates ca;
    private TestCertificates stranger;

    @BeforeAll
    void nodeWithTls() {
        assumeTrue(TestBroker.externalUri().isEmpty(), "needs its own private node (TLS listener)");
        assumeTrue(PrivateRabbitNode.isInstalled(), "rabbitmq-server is not installed");
        ca = TestCertificates.newAuthority(tmp.resolve("ca"), "fulcrum-test-ca");
        stranger = TestCertificates.newAuthority(tmp.resolve("stranger"), "stranger-ca");
        Path server = ca.issue("localhost", "DNS:localhost");
        node = PrivateRabbitNode.start(tmp.resolve("rabbit"), null, new PrivateRabbitNode.TlsListener(ca.caCertificate(),
                server, TestCertificates.keyOf(server), true, false));
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private String uri(String host) {
        return "amqps://guest@" + host + ":" + node.tlsPort() + "/%2f";
    }

    private static BrokerSecrets trusting(Path trustStore, Path keyStore) {
        return new BrokerSecrets(PASSWORD, new TlsSettings(trustStore, STORE_PASSWORD.toCharArray(), "PKCS12", keyStore,
                STORE_PASSWORD.toCharArray(), "PKCS12"));
    }

    @Test
    void aClientTrustingTheCaConnects() throws Exception {
        try (Connection c = Amqp.connect(uri("localhost"), trusting(ca.trustStore(STORE_PASSWORD), null), "tls-trusted",
                Duration.ofSeconds(20))) {
            assertThat(c.isOpen()).isTrue();
            assertThat(c.createChannel().isOpen()).isTrue();
        }
    }

    @Test
    void aClientTrustingAnotherCaIsRefused() {
        assertThatThrownBy(() -> Amqp.connect(uri("localhost"), trusting(stranger.trustStore(STORE_PASSWORD), null),
                "tls-untrusted", Duration.ZERO))
                .hasMessageContaining("cannot reach RabbitMQ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(STORE_PASSWORD));
    }

    @Test
    void theJvmsDefaultCasDoNotTrustAPrivateCa() {
        assertThatThrownBy(() -> Amqp.connect(uri("localhost"), new BrokerSecrets(PASSWORD, TlsSettings.DEFAULTS),
                "tls-default-cas", Duration.ZERO)).hasMessageContaining("cannot reach RabbitMQ");
    }

    @Test
    void aHostNameTheCertificateDoesNotNameIsRefused() {
        // the certificate names localhost only; 127.0.0.1 reaches the same listener
        assertThatThrownBy(() -> Amqp.connect(uri("127.0.0.1"), trusting(ca.trustStore(STORE_PASSWORD), null),
                "tls-wrong-host", Duration.ZERO)).hasMessageContaining("cannot reach RabbitMQ");
    }

    @Test
    void aClientCertificateIsPresented() throws Exception {
        Path client = ca.issue("fulcrum-test-client");
        try (Connection c = Amqp.connect(uri("localhost"), trusting(ca.trustStore(STORE_PASSWORD),
                ca.keyStore(client, STORE_PASSWORD)), "tls-client-cert", Duration.ofSeconds(20))) {
            assertThat(c.isOpen()).isTrue();
            assertThat(node.rabbitmqctl("-q", "list_connections", "name", "peer_cert_subject"))
                    .contains("CN=fulcrum-test-client");
        }
    }

    @Test
    void anUnreadableTrustStoreIsAClearErrorWithoutItsPassword() {
        assertThatThrownBy(() -> Amqp.factory(uri("localhost"), trusting(tmp.resolve("missing.p12"), null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.p12")
                .hasMessageContaining(TlsSettings.TRUST_STORE)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(STORE_PASSWORD));
    }
}
