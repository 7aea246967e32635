package fulcrum.common.cli;

import fulcrum.common.amqp.Amqp;
import fulcrum.common.amqp.BrokerSecrets;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How every component names its broker (a picocli mixin): the URI on the command line, the password
 * never there ({@code ps} shows every process's arguments to every user of the machine).
 */
public final class BrokerOptions {
    @Option(names = "--uri", paramLabel = "URI",
            // picocli formats descriptions: the %2f of the default URI is written %%2f
            description = "Broker URI, amqp:// or amqps://, without password (default: $RABBITMQ_URI, else"
                    + " amqp://guest@localhost:5672/%%2f). The password comes from --password-file, $RABBITMQ_PASSWORD"
                    + " or $RABBITMQ_PASSWORD_FILE; amqps verifies the broker with $FULCRUM_TLS_TRUST_STORE"
                    + " (else the JVM's CAs) and its host name.")
    String uri;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File whose first line is the broker password.")
    Path passwordFile;

    /**
     * The URI to connect to. Reads {@code --password-file} (an unreadable file is an
     * {@link IllegalArgumentException}); a password inside {@code --uri} is taken but warned about on
     * {@code err}, unless it is guest's, the development default and no secret.
     */
    public String resolve(PrintWriter err) {
        if (passwordFile != null) {
            BrokerSecrets.usePasswordFile(passwordFile);
        }
        if (uri != null && Amqp.hasPassword(uri) && !Amqp.hasGuestPassword(uri)) {
            err.println("warning: the password in --uri is visible to every user of this machine (ps);"
                    + " give it with --password-file, $RABBITMQ_PASSWORD or $RABBITMQ_PASSWORD_FILE");
            err.flush();
        }
        return Amqp.resolveUri(uri);
    }
}
