package fulcrum.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority made with the machine's {@code openssl}: a CA, certificates it
 * signs (PEM files, what RabbitMQ reads) and the Java stores a client uses (PKCS12).
 */
public final class TestCertificates {
    private final Path dir;
    private final String name;

    private TestCertificates(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** A new CA named {@code name}, its files under {@code dir}. */
    public static TestCertificates newAuthority(Path dir, String name) {
        TestCertificates ca = new TestCertificates(dir, name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ca.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca.caKey().toString(), "-out",
                ca.caCertificate().toString(), "-days", "2", "-subj", "/CN=" + name);
        return ca;
    }

    public Path caCertificate() {
        return dir.resolve(name + "-ca.crt");
    }

    private Path caKey() {
        return dir.resolve(name + "-ca.key");
    }

    /**
     * A certificate for {@code commonName} signed by this CA, with the given subject alternative
     * names (e.g. {@code DNS:localhost}); returns its PEM certificate, its key beside it ({@code .key}).
     */
    public Path issue(String commonName, String... subjectAltNames) {
        Path key = dir.resolve(commonName + ".key");
        Path csr = dir.resolve(commonName + ".csr");
        Path cert = dir.resolve(commonName + ".crt");
        Path ext = dir.resolve(commonName + ".ext");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj",
                "/CN=" + commonName);
        try {
            Files.writeString(ext, subjectAltNames.length == 0 ? "basicConstraints=CA:FALSE\n"
                    : "subjectAltName=" + String.join(",", subjectAltNames) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCertificate().toString(), "-CAkey", caKey().toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        return cert;
    }

    public static Path keyOf(Path certificate) {
        String file = certificate.getFileName().toString();
        return certificate.resolveSibling(file.substring(0, file.length() - ".crt".length()) + ".key");
    }

    /** A PKCS12 trust store holding this CA, with {@code password}. */
    public Path trustStore(String password) {
        Path store = dir.resolve(name + "-trust.p12");
        try (InputStream in = Files.newInputStream(caCertificate()); OutputStream out = Files.newOutputStream(store)) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry(name, ca);
            ks.store(out, password.toCharArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return store;
    }

    /** A PKCS12 key store with {@code certificate} and its key, with {@code password}. */
    public Path keyStore(Path certificate, String password) {
        Path store = certificate.resolveSibling(certificate.getFileName() + ".p12");
        openssl("pkcs12", "-export", "-in", certificate.toString(), "-inkey", keyOf(certificate).toString(), "-out",
                store.toString(), "-passout", "pass:" + password, "-name", "client");
        return store;
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(output));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
