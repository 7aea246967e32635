package fulcrum.common.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders {@code rabbitmq-definitions.json}, what a node imports at boot: the {@link Topology} of
 * three replicas and the {@link BrokerUsers} with their permissions. A test checks the committed file
 * is this rendering; {@code main} writes it again after a change.
 *
 * <p>Passwords are stored as RabbitMQ's {@code rabbit_password_hashing_sha256} hashes. Their salt is
 * derived from the user name, so rendering is reproducible; that is acceptable only because these
 * are the published development passwords, which any real deployment changes
 * ({@code rabbitmqctl change_password}, which draws a random salt).
 */
public final class BrokerDefinitions {
    public static final String FILE = "rabbitmq-definitions.json";
    private static final String VERSION = "3.10.8";
    private static final String VHOST = "/";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BrokerDefinitions() {
    }

    /** Writes the definitions for three replicas to the given file (default: ./rabbitmq-definitions.json). */
    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : FILE);
        Files.writeString(target, render(Topology.replicaIds(Topology.DEFAULT_REPLICA_COUNT)), StandardCharsets.UTF_8);
        System.out.println("wrote " + target.toAbsolutePath());
    }

    public static String render(List<String> replicaIds) {
        try {
            return JSON.writeValueAsString(tree(replicaIds)) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode tree(List<String> replicaIds) {
        ObjectNode root = JSON.createObjectNode();
        root.put("rabbit_version", VERSION);
        root.put("rabbitmq_version", VERSION);
        root.put("product_name", "RabbitMQ");
        root.put("product_version", VERSION);
        ArrayNode users = root.putArray("users");
        ArrayNode permissions = JSON.createArrayNode();
        for (BrokerUsers.User u : BrokerUsers.all(replicaIds)) {
            ObjectNode user = users.addObject();
            user.put("name", u.name());
            user.put("password_hash", passwordHash(u.devPassword(), deterministicSalt(u.name())));
            user.put("hashing_algorithm", "rabbit_password_hashing_sha256");
            ArrayNode tags = user.putArray("tags");
            u.tags().forEach(tags::add);
            user.putObject("limits");
            ObjectNode p = permissions.addObject();
            p.put("user", u.name());
            p.put("vhost", VHOST);
            p.put("configure", u.configure());
            p.put("write", u.write());
            p.put("read", u.read());
        }
        root.putArray("vhosts").addObject().put("name", VHOST);
        root.set("permissions", permissions);
        root.putArray("topic_permissions");
        root.putArray("parameters");
        root.putArray("global_parameters");
        root.putArray("policies");
        ArrayNode queues = root.putArray("queues");
        queue(queues, Topology.DEAD_LETTER_QUEUE, Topology.deadLetterQueueArguments());
        queue(queues, Topology.ROUTER_COMMANDS, Topology.workQueueArguments());
        queue(queues, Topology.ROUTER_QUERIES, Topology.workQueueArguments());
        queue(queues, Topology.ROUTER_ROUTES, Topology.routeQueueArguments());
        for (String id : replicaIds) {
            queue(queues, Topology.replicaCommandQueue(id), Topology.workQueueArguments());
            queue(queues, Topology.replicaMergeQueue(id), Topology.workQueueArguments());
        }
        ArrayNode exchanges = root.putArray("exchanges");
        exchange(exchanges, Topology.DEAD_LETTER_EXCHANGE, "fanout");
        exchange(exchanges, Topology.REPLICA_EXCHANGE, "direct");
        exchange(exchanges, Topology.MERGE_EXCHANGE, "fanout");
        exchange(exchanges, Topology.STATUS_EXCHANGE, "fanout");
        ArrayNode bindings = root.putArray("bindings");
        binding(bindings, Topology.DEAD_LETTER_EXCHANGE, Topology.DEAD_LETTER_QUEUE, "");
        for (String id : replicaIds) {
            binding(bindings, Topology.REPLICA_EXCHANGE, Topology.replicaCommandQueue(id), id);
            binding(bindings, Topology.MERGE_EXCHANGE, Topology.replicaMergeQueue(id), "");
        }
        return root;
    }

    /** RabbitMQ's sha256 scheme: base64(salt ++ sha256(salt ++ utf8(password))), salt of 4 bytes. */
    public static String passwordHash(String password, byte[] salt) {
        if (salt.length != 4) {
            throw new IllegalArgumentException("the salt has 4 bytes");
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            byte[] digest = sha256.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(salt, 4 + digest.length);
            System.arraycopy(digest, 0, out, 4, digest.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] deterministicSalt(String user) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("fulcrum-dev-salt:" + user).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void queue(ArrayNode queues, String name, Map<String, Object> arguments) {
        ObjectNode q = queues.addObject();
        q.put("name", name);
        q.put("vhost", VHOST);
        q.put("durable", true);
        q.put("auto_delete", false);
        // the committed file lists x-queue-type first; a TreeMap would not, so keep Topology's known order
        ObjectNode args = q.putObject("arguments");
        for (String key : List.of("x-queue-type", "x-delivery-limit", "x-dead-letter-exchange", "x-message-ttl")) {
            Object value = arguments.get(key);
            if (value instanceof Integer i) {
                args.put(key, i);
            } else if (value != null) {
                args.put(key, value.toString());
            }
        }
        if (!new TreeMap<>(arguments).keySet().stream().allMatch(k -> args.has(k))) {
            throw new IllegalStateException("an argument of " + name + " is not rendered: " + arguments.keySet());
        }
    }

    private static void exchange(ArrayNode exchanges, String name, String type) {
        ObjectNode e = exchanges.addObject();
        e.put("name", name);
        e.put("vhost", VHOST);
        e.put("type", type);
        e.put("durable", true);
        e.put("auto_delete", false);
        e.put("internal", false);
        e.putObject("arguments");
    }

    private static void binding(ArrayNode bindings, String source, String queue, String routingKey) {
        ObjectNode b = bindings.addObject();
        b.put("source", source);
        b.put("vhost", VHOST);
        b.put("destination", queue);
        b.put("destination_type", "queue");
        b.put("routing_key", routingKey);
        b.putObject("arguments");
    }
}
