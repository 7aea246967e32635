package fulcrum.chaos;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import fulcrum.common.amqp.Amqp;
import fulcrum.common.topology.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Publishes bad input ({@link FuzzCases}): commands straight to {@code mos-eisley.commands} and to the
 * replicas' queues (through {@code fulcrum.commands}), forged replica traffic to the
 * {@code fulcrum.merge} fanout and forged announcements to the {@code fulcrum.status} fanout. Every
 * message carries the header {@value #HEADER} with its fuzz id, which dead-lettering keeps, so the
 * checker can tell the bad inputs sent on purpose from anything else in {@code fulcrum.dead-letters}.
 * A message counts as delivered once the broker confirmed it and did not return it as unroutable.
 *
 * <p>Announcements are transient by design: a status case confirmed by the broker is lost with it
 * if the broker is killed before a replica has dead-lettered it (the replicas' status queues are
 * exclusive and auto-acked). So a status case must be dead-lettered only if the fuzzer saw its dead
 * letter (a tap: a queue of its own bound to {@code fulcrum.dlx}) or no broker kill came after its
 * confirm. Commands and merge messages are persistent, on quorum queues, acked only after their dead
 * letter was confirmed: every confirmed one must be dead-lettered.
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
    private final Map<String, String> reasons = new ConcurrentHashMap<>();
    /** Status cases: the broker kills begun before the publish that was confirmed. */
    private final Map<String, Integer> killsAtConfirm = new ConcurrentHashMap<>();
    /** Fuzz ids whose dead letter the tap saw. */
    private final Set<String> tapped = new ConcurrentSkipListSet<>();
    private final IntSupplier brokerKills;
    private final List<FuzzCases.Case> cases;
    private Thread thread;
    private Connection tap;

    /** @param brokerKills how many broker kills the fault schedule has begun so far (counted before each kill) */
    Fuzzer(String uri, long seed, List<String> replicaIds, Duration every, Set<FuzzCases.Route> routes, IntSupplier brokerKills) {
        this.uri = uri;
        this.rnd = new Random(seed ^ 0x5EED_F00DL);
        this.replicaIds = replicaIds;
        this.every = every;
        this.brokerKills = brokerKills;
        this.cases = FuzzCases.ALL.stream().filter(c -> routes.contains(c.route())).toList();
    }

    Set<String> sent() {
        return sent;
    }

    Set<String> confirmed() {
        return confirmed;
    }

    /**
     * Delivered bad inputs that must be dead-lettered (every one, for a correct cluster), but for
     * status cases that may have been lost with a killed broker (see the class comment).
     */
    Set<String> expected() {
        Set<String> out = new java.util.TreeSet<>();
        int kills = brokerKills.getAsInt();
        for (String id : expected) {
            Integer atConfirm = killsAtConfirm.get(id);
            if (atConfirm == null || atConfirm == kills || tapped.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** Per fuzz id sent, the regular expression its dead letters' code and reason must contain. */
    Map<String, String> reasons() {
        return Map.copyOf(reasons);
    }

    /** Status cases confirmed and then possibly lost with a killed broker: allowed to be missing. */
    Set<String> mayBeLostWithTheBroker() {
        Set<String> out = new java.util.TreeSet<>(expected);
        out.removeAll(expected());
        return out;
    }

    void start() throws IOException, TimeoutException {
        tap = Amqp.connect(uri, "chaos-fuzzer-tap", Duration.ofSeconds(30));
        Channel ch = tap.createChannel();
        String queue = ch.queueDeclare("", false, true, true, null).getQueue();
        ch.queueBind(queue, Topology.DEAD_LETTER_EXCHANGE, "");
        ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                Object fuzz = props.getHeaders() == null ? null : props.getHeaders().get(HEADER);
                if (fuzz != null) {
                    tapped.add(fuzz.toString());
                }
            }
        });
        thread = new Thread(this::run, "fuzzer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running.set(false);
        thread.join();
    }

    /** Stops the tap, once the dead letters are drained (what it saw by then counts). */
    void closeTap() {
        if (tap != null) {
            tap.abort(2000);
        }
    }

    private void run() {
        Connection connection = null;
        Channel channel = null;
        int n = 0;
        while (running.get() && !cases.isEmpty()) {
            LockSupport.parkNanos(every.toNanos()); // pacing
            FuzzCases.Case c = cases.get(n % cases.size());
            if (c.once() && n >= cases.size()) {
                n++; // a body of megabytes: sent in the first round only
                continue;
            }
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
            reasons.put(id, c.reason().pattern());
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
                    int killsBefore = brokerKills.getAsInt();
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
                        if (c.route() == FuzzCases.Route.STATUS) {
                            killsAtConfirm.put(id, killsBefore);
                        }
                        confirmed.add(id);
                        expected.add(id);
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
