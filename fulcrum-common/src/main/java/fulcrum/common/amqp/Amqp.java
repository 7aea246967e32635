package fulcrum.common.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import fulcrum.core.domain.CommandKind;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** Connections and message properties, set up the same way by every component. */
public final class Amqp {
    public static final String DEFAULT_URI = "amqp://guest:guest@localhost:5672/%2f";
    public static final String CONTENT_TYPE = "application/json";

    /** Headers Fulcrum adds when it dead-letters a message itself. */
    public static final String HEADER_ERROR_CODE = "x-fulcrum-error-code";
    public static final String HEADER_ERROR_REASON = "x-fulcrum-error-reason";
    public static final String HEADER_SOURCE_QUEUE = "x-fulcrum-source-queue";
    public static final String HEADER_DEAD_LETTERED_BY = "x-fulcrum-dead-lettered-by";

    private Amqp() {
    }

    /** The broker URI: the given one, else $RABBITMQ_URI, else the local default. */
    public static String resolveUri(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        String env = System.getenv("RABBITMQ_URI");
        return env != null && !env.isBlank() ? env : DEFAULT_URI;
    }

    public static ConnectionFactory factory(String uri) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(uri);
        } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid broker URI '" + uri + "': " + e.getMessage(), e);
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(1000);
        factory.setRequestedHeartbeat(10);
        factory.setConnectionTimeout(5000);
        factory.setExceptionHandler(new OneLineConnectionErrors());
        return factory;
    }

    /**
     * Connects, retrying until {@code deadline} passes: automatic recovery only covers connections
     * that once succeeded, so the first connect needs its own loop.
     */
    public static Connection connect(String uri, String connectionName, Duration deadline)
            throws IOException, TimeoutException {
        ConnectionFactory factory = factory(uri);
        long giveUpAtNanos = System.nanoTime() + deadline.toNanos();
        IOException last = null;
        while (true) {
            try {
                return factory.newConnection(connectionName);
            } catch (IOException e) {
                last = e;
            }
            if (System.nanoTime() - giveUpAtNanos >= 0) {
                throw new IOException("cannot reach RabbitMQ at " + redact(uri) + " within " + deadline.toSeconds()
                        + "s: " + rootMessage(last), last);
            }
            pauseBeforeRetry();
        }
    }

    private static void pauseBeforeRetry() throws IOException {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting", e);
        }
    }

    /** The URI without its password, for messages. */
    public static String redact(String uri) {
        return uri.replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
    }

    public static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    /** Properties of a command or query: persistent JSON, id = command id, type = operation. */
    public static AMQP.BasicProperties commandProperties(String commandId, CommandKind kind, String replyTo) {
        return new AMQP.BasicProperties.Builder()
                .contentType(CONTENT_TYPE)
                .deliveryMode(2)
                .messageId(commandId)
                .correlationId(commandId)
                .type(kind == null ? null : kind.name())
                .replyTo(replyTo)
                .build();
    }

    public static AMQP.BasicProperties replyProperties(String correlationId, String type) {
        return new AMQP.BasicProperties.Builder()
                .contentType(CONTENT_TYPE)
                .correlationId(correlationId)
                .type(type)
                .build();
    }

    /** Copies a message's properties for dead-lettering, adding the reason headers. */
    public static AMQP.BasicProperties deadLetterProperties(AMQP.BasicProperties original, String code, String reason,
                                                            String sourceQueue, String component) {
        Map<String, Object> headers = new HashMap<>();
        if (original != null && original.getHeaders() != null) {
            headers.putAll(original.getHeaders());
        }
        headers.put(HEADER_ERROR_CODE, code);
        headers.put(HEADER_ERROR_REASON, reason);
        headers.put(HEADER_SOURCE_QUEUE, sourceQueue);
        headers.put(HEADER_DEAD_LETTERED_BY, component);
        AMQP.BasicProperties.Builder builder = original == null ? new AMQP.BasicProperties.Builder() : original.builder();
        return builder.headers(headers).deliveryMode(2).build();
    }
}
