package fulcrum.chaos;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes bad input straight to {@code mos-eisley.commands} and to the replicas' queues (through
 * {@code fulcrum.commands}): malformed JSON, wrong types, huge values and bodies, unknown
 * operations, invalid names, a missing message id. Every message carries the header
 * {@value #HEADER} with its fuzz id, which dead-lettering keeps, so the checker can tell the bad
 * inputs sent on purpose from anything else in {@code fulcrum.dead-letters}.
 */
final class Fuzzer {
    static final String HEADER = "x-chaos-fuzz";

    record Case(String name, String type, String body, boolean withMessageId) {
    }

    static final List<Case> CASES = List.of(
            new Case("malformed", null, "{not json", true),
            new Case("not-an-object", null, "[1,2,3]", true),
            new Case("wrong-type", "UpdateNumber", "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":\"ten\"}", true),
            new Case("huge-value", "UpdateNumber", "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":123456789012345678901234567890}", true),
            new Case("huge-body", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"" + "x".repeat(20_000) + "\"}", true),
            new Case("unknown-operation", "Explode", "{\"command\":\"Explode\",\"planet\":\"Fuzz\",\"city\":\"x\"}", true),
            new Case("name-with-space", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz planet\",\"city\":\"x\",\"rebels\":1}", true),
            new Case("name-too-long", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"" + "y".repeat(65) + "\",\"rebels\":1}", true),
            new Case("negative-count", "UpdateNumber", "{\"command\":\"UpdateNumber\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":-5}", true),
            new Case("unknown-field", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\",\"color\":\"red\"}", true),
            new Case("type-mismatch", "DeleteCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\"}", true),
            new Case("no-message-id", "AddCity", "{\"command\":\"AddCity\",\"planet\":\"Fuzz\",\"city\":\"x\",\"rebels\":1}", false));

    private final String uri;
    private final Random rnd;
    private final List<String> replicaIds;
    private final Duration every;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<String> sent = new ConcurrentSkipListSet<>();
    private final Set<String> confirmed = new ConcurrentSkipListSet<>();
    private Thread thread;

    Fuzzer(String uri, long seed, List<String> replicaIds, Duration every) {
        this.uri = uri;
        this.rnd = new Random(seed ^ 0x5EED_F00DL);
        this.replicaIds = replicaIds;
        this.every = every;
    }

    Set<String> sent() {
        return sent;
    }

    Set<String> confirmed() {
        return confirmed;
    }

    void start() {
        thread = new Thread(this::run, "fuzzer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running.set(false);
        thread.join();
    }

    private void run() {
        Connection connection = null;
        Channel channel = null;
        int n = 0;
        while (running.get()) {
            LockSupport.parkNanos(every.toNanos()); // pacing
            Case c = CASES.get(n % CASES.size());
            // every case goes to the router's queue and to a replica's queue in turn
            boolean toReplica = (n / CASES.size()) % 2 == 1;
            String replica = replicaIds.get(rnd.nextInt(replicaIds.size()));
            String id = String.format("fuzz-%04d-%s-%s", ++n, c.name(), toReplica ? replica : "router");
            sent.add(id);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .contentType(Amqp.CONTENT_TYPE).deliveryMode(2)
                    .messageId(c.withMessageId() ? id : null).type(c.type())
                    .headers(Map.of(HEADER, id)).build();
            byte[] body = c.body().getBytes(StandardCharsets.UTF_8);
            for (int attempt = 1; attempt <= 10 && !confirmed.contains(id); attempt++) {
                try {
                    if (connection == null || !connection.isOpen()) {
                        connection = Amqp.connect(uri, "chaos-fuzzer", Duration.ofSeconds(5));
                        channel = null;
                    }
                    if (channel == null || !channel.isOpen()) {
                        channel = connection.createChannel();
                        channel.confirmSelect();
                    }
                    if (toReplica) {
                        channel.basicPublish(Topology.REPLICA_EXCHANGE, replica, true, props, body);
                    } else {
                        channel.basicPublish("", Topology.ROUTER_COMMANDS, true, props, body);
                    }
                    if (channel.waitForConfirms(5000)) {
                        confirmed.add(id);
                    }
                } catch (Exception e) {
                    channel = null;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                }
            }
        }
        try {
            if (connection != null && connection.isOpen()) {
                connection.close(2000);
            }
        } catch (Exception ignored) {
            // best effort
        }
    }
}
