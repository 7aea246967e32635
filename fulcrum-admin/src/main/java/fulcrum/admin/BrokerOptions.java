package fulcrum.admin;

import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How every admin subcommand reaches the broker (a picocli mixin). */
public final class BrokerOptions {
    @Mixin
    fulcrum.common.cli.BrokerOptions connection;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS",
            description = "How long to keep trying to connect (default: ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds = 3;

    private String resolved;

    /** The broker URI (reads --password-file once; an unreadable one is an IllegalArgumentException). */
    public String uri() {
        if (resolved == null) {
            resolved = connection.resolve(new PrintWriter(System.err, true));
        }
        return resolved;
    }

    /** The broker user this tool connects as (the user_id of the merge requests it publishes). */
    public String user() {
        return Amqp.userOf(uri());
    }

    /**
     * Connects or throws {@link BrokerUnreachableException} with a one-line reason; an invalid URI
     * is an {@link IllegalArgumentException} (a usage error).
     */
    public Connection connect(String connectionName) throws BrokerUnreachableException {
        String target = uri();
        Amqp.factory(target);
        try {
            return Amqp.connect(target, connectionName, Duration.ofSeconds(Math.max(0, connectTimeoutSeconds)));
        } catch (IOException | TimeoutException e) {
            throw new BrokerUnreachableException("broker unreachable at " + Amqp.redact(target) + ": "
                    + Amqp.rootMessage(e), e);
        }
    }
}
