package fulcrum.common.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import fulcrum.common.wire.BatchCodec;
import fulcrum.core.domain.CommandKind;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** Connections and message properties, set up the same way by every component. */
public final class Amqp {
    public static final String DEFAULT_URI = "amqp://guest@localhost:5672/%2f";
    public static final String CONTENT_TYPE = "application/json";

    /** Headers Fulcrum adds when it dead-letters a message itself. */
    public static final String HEADER_ERROR_CODE = "x-fulcrum-error-code";
    public static final String HEADER_ERROR_REASON = "x-fulcrum-error-reason";
    public static final String HEADER_SOURCE_QUEUE = "x-fulcrum-source-queue";
    public static final String HEADER_DEAD_LETTERED_BY = "x-fulcrum-dead-lettered-by";
    /** The user_id of a dead-lettered message: the broker lets a publisher set only its own. */
    public static final String HEADER_ORIGINAL_USER_ID = "x-fulcrum-original-user-id";

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

    /** A factory for {@code uri} with this process's secrets ({@link BrokerSecrets#current()}). */
    public static ConnectionFactory factory(String uri) {
        return factory(uri, BrokerSecrets.current());
    }

    /**
     * A factory for {@code uri}: the password from the URI, else from {@code secrets}; for
     * {@code amqps://}, TLS that verifies the broker's certificate chain and host name (never the
     * client's trust-everything default). No message of it carries the password.
     */
    public static ConnectionFactory factory(String uri, BrokerSecrets secrets) {
        ConnectionFactory factory = new ConnectionFactory();
        URI parsed;
        boolean tls;
        try {
            parsed = new URI(uri);
            tls = "amqps".equalsIgnoreCase(parsed.getScheme());
            // the client's own amqps handling installs a trust-everything manager: parse as amqp, add TLS below
            factory.setUri(tls ? new URI("amqp" + uri.substring("amqps".length())) : parsed);
            if (tls && parsed.getPort() == -1) {
                factory.setPort(ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid broker URI '" + secrets.scrub(redact(uri)) + "': " + e.getReason());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid broker URI '" + secrets.scrub(redact(uri)) + "': "
                    + secrets.scrub(redact(String.valueOf(e.getMessage()))));
        }
        String userInfo = parsed.getRawUserInfo();
        if ((userInfo == null || !userInfo.contains(":")) && secrets.password() != null) {
            factory.setPassword(secrets.password());
        }
        if (tls) {
            factory.useSslProtocol(secrets.tls().sslContext());
            factory.enableHostnameVerification();
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(1000);
        factory.setRequestedHeartbeat(10);
        factory.setConnectionTimeout(5000);
        factory.setExceptionHandler(new OneLineConnectionErrors());
        return factory;
    }

    /** The user {@code uri} logs in as: its user info's name, else the client's default, guest. */
    public static String userOf(String uri) {
        try {
            String userInfo = new URI(uri).getUserInfo();
            if (userInfo == null || userInfo.isEmpty()) {
                return ConnectionFactory.DEFAULT_USER;
            }
            int colon = userInfo.indexOf(':');
            return colon < 0 ? userInfo : userInfo.substring(0, colon);
        } catch (URISyntaxException e) {
            return ConnectionFactory.DEFAULT_USER;
        }
    }

    /** Whether {@code uri} carries guest's development password, which is no secret. */
    public static boolean hasGuestPassword(String uri) {
        try {
            return "guest:guest".equals(new URI(uri).getRawUserInfo());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Whether {@code uri} carries a password in its user info. */
    public static boolean hasPassword(String uri) {
        try {
            String userInfo = new URI(uri).getRawUserInfo();
            return userInfo != null && userInfo.contains(":");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * Connects, retrying until {@code deadline} passes: automatic recovery only covers connections
     * that once succeeded, so the first connect needs its own loop.
     */
    public static Connection connect(String uri, String connectionName, Duration deadline)
            throws IOException, TimeoutException {
        return connect(uri, BrokerSecrets.current(), connectionName, deadline);
    }

    public static Connection connect(String uri, BrokerSecrets secrets, String connectionName, Duration deadline)
            throws IOException, TimeoutException {
        ConnectionFactory factory = factory(uri, secrets);
        long giveUpAtNanos = System.nanoTime() + deadline.toNanos();
        IOException last = null;
        while (true) {
            try {
                return factory.newConnection(connectionName);
            } catch (IOException e) {
                last = e;
                if (isRefusedLogin(e)) {
                    // a wrong password stays wrong: no point retrying until the deadline
                    throw new IOException("RabbitMQ at " + redact(uri) + " refused the login of user '"
                            + factory.getUsername() + "' (wrong user or password?)");
                }
            }
            if (System.nanoTime() - giveUpAtNanos >= 0) {
                // the cause is not chained: the client's exceptions may quote the URI
                throw new IOException("cannot reach RabbitMQ at " + redact(uri) + " within " + deadline.toSeconds()
                        + "s: " + secrets.scrub(redact(rootMessage(last))));
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

    private static boolean isRefusedLogin(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof com.rabbitmq.client.AuthenticationFailureException) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code uri} split for a child process: the URI without its password (for argv) and the
     * password (for the child's {@code RABBITMQ_PASSWORD}), or null when it carries none.
     */
    public record SplitUri(String uri, String password) {
    }

    public static SplitUri splitPassword(String uri) {
        try {
            URI parsed = new URI(uri);
            String userInfo = parsed.getRawUserInfo();
            int colon = userInfo == null ? -1 : userInfo.indexOf(':');
            if (colon < 0) {
                return new SplitUri(uri, null);
            }
            String rawUser = userInfo.substring(0, colon);
            // the decoded user info is "user:password", the user decoded too
            String password = parsed.getUserInfo().substring(new URI("amqp://" + rawUser + "@h").getUserInfo().length() + 1);
            return new SplitUri(uri.replaceFirst("//[^@/]*@", "//" + rawUser + "@"), password);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a broker URI: " + redact(uri));
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

    /** Properties of a batch of writes to one replica: persistent like a write; each command's id is in the body. */
    public static AMQP.BasicProperties commandBatchProperties(String batchId, String replyTo) {
        return new AMQP.BasicProperties.Builder()
                .contentType(CONTENT_TYPE)
                .deliveryMode(2)
                .messageId(batchId)
                .correlationId(batchId)
                .type(BatchCodec.COMMAND_BATCH_TYPE)
                .replyTo(replyTo)
                .build();
    }

    /**
     * Properties of a route request: like the command's, but transient (it asks, it changes nothing,
     * and a lost one is asked again).
     */
    public static AMQP.BasicProperties routeRequestProperties(String commandId, CommandKind kind, String replyTo) {
        return commandProperties(commandId, kind, replyTo).builder().deliveryMode(1).build();
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
        if (original != null && original.getUserId() != null) {
            headers.put(HEADER_ORIGINAL_USER_ID, original.getUserId());
        }
        AMQP.BasicProperties.Builder builder = original == null ? new AMQP.BasicProperties.Builder() : original.builder();
        return builder.headers(headers).deliveryMode(2).userId(null).build();
    }
}
