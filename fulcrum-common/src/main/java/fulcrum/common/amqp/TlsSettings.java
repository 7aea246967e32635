package fulcrum.common.amqp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How an {@code amqps://} connection checks the broker and shows itself: a trust store (else the
 * JVM's default CAs) and an optional client key store. Never a trust-everything manager: the
 * broker's certificate must chain to a trusted CA, and its host name is verified by the caller.
 *
 * @param trustStore         PKCS12 or JKS file of trusted CAs, or null for the JVM's default CAs
 * @param trustStorePassword its password (may be empty)
 * @param trustStoreType     its type, PKCS12 unless told
 * @param keyStore           the client's key and certificate, or null for none
 * @param keyStorePassword   its password (also the key's)
 * @param keyStoreType       its type, PKCS12 unless told
 */
public record TlsSettings(Path trustStore, char[] trustStorePassword, String trustStoreType, Path keyStore,
                          char[] keyStorePassword, String keyStoreType) {
    public static final String TRUST_STORE = "FULCRUM_TLS_TRUST_STORE";
    public static final String TRUST_STORE_PASSWORD = "FULCRUM_TLS_TRUST_STORE_PASSWORD";
    public static final String TRUST_STORE_TYPE = "FULCRUM_TLS_TRUST_STORE_TYPE";
    public static final String KEY_STORE = "FULCRUM_TLS_KEY_STORE";
    public static final String KEY_STORE_PASSWORD = "FULCRUM_TLS_KEY_STORE_PASSWORD";
    public static final String KEY_STORE_TYPE = "FULCRUM_TLS_KEY_STORE_TYPE";

    /** The JVM's default CAs, no client certificate. */
    public static final TlsSettings DEFAULTS = new TlsSettings(null, new char[0], "PKCS12", null, new char[0], "PKCS12");

    public static TlsSettings fromEnvironment(Map<String, String> env) {
        return new TlsSettings(path(env.get(TRUST_STORE)), chars(env.get(TRUST_STORE_PASSWORD)),
                env.getOrDefault(TRUST_STORE_TYPE, "PKCS12"), path(env.get(KEY_STORE)), chars(env.get(KEY_STORE_PASSWORD)),
                env.getOrDefault(KEY_STORE_TYPE, "PKCS12"));
    }

    /** The context to connect with; a store that cannot be read is an {@link IllegalArgumentException} naming it. */
    public SSLContext sslContext() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore == null ? null : load(trustStore, trustStorePassword, trustStoreType, TRUST_STORE));
            KeyManagerFactory keys = null;
            if (keyStore != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keyStore, keyStorePassword, keyStoreType, KEY_STORE), keyStorePassword);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS settings unusable: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, char[] password, String type, String variable) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password);
            return store;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + type + " store " + file + " ($" + variable + "): no such file");
        } catch (IOException | GeneralSecurityException e) {
            // the store's password is never part of the message; a wrong one reads as "keystore password was incorrect"
            throw new IllegalArgumentException("cannot read " + type + " store " + file + " ($" + variable + "): "
                    + Amqp.rootMessage(e), e);
        }
    }

    private static Path path(String value) {
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static char[] chars(String value) {
        return value == null ? new char[0] : value.toCharArray();
    }

    @Override
    public String toString() {
        return "TlsSettings[trustStore=" + (trustStore == null ? "JVM default CAs" : trustStore) + ", keyStore="
                + (keyStore == null ? "none" : keyStore) + "]";
    }
}
