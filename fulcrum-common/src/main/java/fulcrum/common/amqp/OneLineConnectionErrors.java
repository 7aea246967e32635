package fulcrum.common.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's default handling, except that a connection-driver error (the broker went away: reset,
 * broken pipe) is logged as one line instead of a stack trace. Losing the broker is an expected
 * event here, and automatic recovery follows it; a trace per connection and channel hides what
 * matters in the logs.
 */
final class OneLineConnectionErrors extends DefaultExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OneLineConnectionErrors.class);

    @Override
    public void handleUnexpectedConnectionDriverException(Connection connection, Throwable exception) {
        LOG.warn("connection {} lost: {} (automatic recovery follows)",
                connection.getClientProvidedName(), Amqp.rootMessage(exception));
    }
}
