package fulcrum.admin;

import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Option;

/** How every admin subcommand reaches the broker (a picocli mixin). */
public final class BrokerOptions {
    @Option(names = "--uri", paramLabel = "URI",
            // picocli formats descriptions: the %2f of the default URI is written %%2f
            description = "Broker URI (default: $RABBITMQ_URI, else amqp://guest:guest@localhost:5672/%%2f).")
    String uri;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS",
            description = "How long to keep trying to connect (default: ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds = 3;

    public String uri() {
        return Amqp.resolveUri(uri);
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
