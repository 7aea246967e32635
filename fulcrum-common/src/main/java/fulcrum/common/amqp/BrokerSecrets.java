package fulcrum.common.amqp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a connection needs besides its URI, never taken from the command line (where {@code ps}
 * shows it): the broker password and the TLS stores.
 *
 * <p>The password, first found: {@code --password-file} (through {@link #usePasswordFile}),
 * {@code $RABBITMQ_PASSWORD}, the file named by {@code $RABBITMQ_PASSWORD_FILE}. A password inside
 * the URI wins over all of them (tests and {@code $RABBITMQ_URI} may carry one).
 *
 * @param password the password, or null to use the URI's (or the client's default, guest)
 * @param tls      how an amqps connection verifies the broker
 */
public record BrokerSecrets(String password, TlsSettings tls) {
    public static final String PASSWORD = "RABBITMQ_PASSWORD";
    public static final String PASSWORD_FILE = "RABBITMQ_PASSWORD_FILE";

    /** Set once by a CLI's {@code --password-file}: this process talks to one broker. */
    private static volatile String passwordFromOption;

    public static BrokerSecrets none() {
        return new BrokerSecrets(null, TlsSettings.DEFAULTS);
    }

    /** The process's secrets: {@code --password-file} if given, else its environment. */
    public static BrokerSecrets current() {
        BrokerSecrets fromEnv = fromEnvironment(System.getenv());
        String option = passwordFromOption;
        return option != null ? new BrokerSecrets(option, fromEnv.tls()) : fromEnv;
    }

    public static BrokerSecrets fromEnvironment(Map<String, String> env) {
        String password = env.get(PASSWORD);
        if (password == null || password.isEmpty()) {
            String file = env.get(PASSWORD_FILE);
            password = file == null || file.isBlank() ? null : readPasswordFile(Path.of(file), "$" + PASSWORD_FILE);
        }
        return new BrokerSecrets(password, TlsSettings.fromEnvironment(env));
    }

    /** Reads {@code file} (its first line) as this process's broker password. */
    public static void usePasswordFile(Path file) {
        passwordFromOption = readPasswordFile(file, "--password-file");
    }

    static String readPasswordFile(Path file, String source) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            String firstLine = content.lines().findFirst().orElse("");
            if (firstLine.isEmpty()) {
                throw new IllegalArgumentException(source + ": " + file + " is empty");
            }
            return firstLine;
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Replaces every occurrence of the password in {@code text}: for messages built from others' exceptions. */
    public String scrub(String text) {
        if (text == null || password == null || password.isEmpty()) {
            return text;
        }
        return text.replace(password, "***");
    }

    @Override
    public String toString() {
        return "BrokerSecrets[password=" + (password == null ? "none" : "***") + ", tls=" + tls + "]";
    }
}
