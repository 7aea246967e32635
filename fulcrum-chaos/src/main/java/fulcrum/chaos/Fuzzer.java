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
 * Publishes bad input ({@link FuzzCases}): commands straight to {@code mos-eisley.commands} and to the
 * replicas' queues (through {@code fulcrum.commands}), forged replica traffic to the
 * {@code fulcrum.merge} fanout and forged announcements to the {@code fulcrum.status} fanout. Every
 * message carries the header {@value #HEADER} with its fuzz id, which dead-lettering keeps, so the
 * checker can tell the bad inputs sent on purpose from anything else in {@code fulcrum.dead-letters}.
 * A message counts as delivered once the broker confirmed it and did not return it as unroutable.
 */
final class Fuzzer {
    static final String HEADER = "x-chaos-fuzz";

    private final String uri;
    private final Random rnd;
    private final List<String> replicaIds;
    private final Duration every;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<String> sent = new ConcurrentSkipListSet<>();
    private final Set<String> confirmed = new ConcurrentSkipListSet<>();
    private final Set<String> expected = new ConcurrentSkipListSet<>();
    private final Set<String> returned = new ConcurrentSkipListSet<>();
    private final List<FuzzCases.Case> cases;
    private Thread thread;

    Fuzzer(String uri, long seed, List<String> replicaIds, Duration every, Set<FuzzCases.Route> routes) {
        this.uri = uri;
        this.rnd = new Random(seed ^ 0x5EED_F00DL);
        this.replicaIds = replicaIds;
        this.every = every;
        this.cases = FuzzCases.ALL.stream().filter(c -> routes.contains(c.route())).toList();
    }

    Set<String> sent() {
        return sent;
    }

    Set<String> confirmed() {
        return confirmed;
    }

    /** Delivered bad inputs that must be dead-lettered (every one, for a correct cluster). */
    Set<String> expected() {
        return expected;
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
        while (running.get() && !cases.isEmpty()) {
            LockSupport.parkNanos(every.toNanos()); // pacing
            FuzzCases.Case c = cases.get(n % cases.size());
            // a command case goes to the router's queue and to a replica's queue in turn
            boolean toReplica = c.route() == FuzzCases.Route.COMMAND && (n / cases.size()) % 2 == 1;
            String replica = replicaIds.get(rnd.nextInt(replicaIds.size()));
            String target = switch (c.route()) {
                case COMMAND -> toReplica ? replica : "router";
                case MERGE -> "merge";
                case STATUS -> "status";
            };
            String id = String.format("fuzz-%04d-%s-%s", ++n, c.name(), target);
            sent.add(id);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .contentType(Amqp.CONTENT_TYPE).deliveryMode(c.route() == FuzzCases.Route.STATUS ? 1 : 2)
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
                        channel.addReturnListener(r -> {
                            Object fuzz = r.getProperties().getHeaders() == null ? null
                                    : r.getProperties().getHeaders().get(HEADER);
                            if (fuzz != null) {
                                returned.add(fuzz.toString());
                            }
                        });
                    }
                    returned.remove(id);
                    switch (c.route()) {
                        case COMMAND -> {
                            if (toReplica) {
                                channel.basicPublish(Topology.REPLICA_EXCHANGE, replica, true, props, body);
                            } else {
                                channel.basicPublish("", Topology.ROUTER_COMMANDS, true, props, body);
                            }
                        }
                        case MERGE -> channel.basicPublish(Topology.MERGE_EXCHANGE, "", true, props, body);
                        case STATUS -> channel.basicPublish(Topology.STATUS_EXCHANGE, "", true, props, body);
                    }
                    // a return (no queue bound: no replica running) comes before the confirm
                    if (channel.waitForConfirms(5000) && !returned.contains(id)) {
                        confirmed.add(id);
                        if (c.deadLettered()) {
                            expected.add(id);
                        }
                    } else {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // before the next attempt
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
