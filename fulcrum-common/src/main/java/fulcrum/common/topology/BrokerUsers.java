package fulcrum.common.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The broker user of each component and the permissions its job needs, nothing more (RabbitMQ's
 * configure / write / read regular expressions, matched against whole names here since they are
 * anchored). Written into {@code rabbitmq-definitions.json} by {@link BrokerDefinitions}.
 *
 * <p>Why each right: server-named reply and status queues are {@code amq.gen-*} (configure, bind =
 * write, consume = read); the default exchange ({@code amq.default}) carries commands, queries and
 * route requests to Mos Eisley's queues, replies, and a replica's direct messages to a peer's merge
 * queue; an informant publishes its writes itself to {@code fulcrum.commands}, routed to the
 * replica Mos Eisley named (the direct write path). Write on
 * the default exchange reaches every queue, which is why replicas check the user_id of merge
 * traffic. Direct reply-to ({@code amq.rabbitmq.reply-to}) needs no permission.
 */
public final class BrokerUsers {
    public static final String ROUTER = "mos-eisley";
    public static final String INFORMANT = "informant";
    public static final String LEIA = "leia";
    public static final String ADMIN = "fulcrum-admin";
    public static final String GUEST = "guest";

    private static final String NOTHING = "^$";
    private static final String SERVER_NAMED = "amq\\.gen-.*";
    private static final String DEFAULT_EXCHANGE = "amq\\.default";

    /**
     * One user.
     *
     * @param name        user name
     * @param devPassword its password in the committed definitions (local development only)
     * @param tags        management tags
     * @param configure   queues and exchanges it may declare or delete
     * @param write       exchanges it may publish to, queues it may bind
     * @param read        queues it may consume, get or purge, exchanges it may bind from
     */
    public record User(String name, String devPassword, List<String> tags, String configure, String write, String read) {
        public User {
            tags = List.copyOf(tags);
        }
    }

    private BrokerUsers() {
    }

    /** Every user for {@code replicaIds}: router, one per replica, informant, Leia, admin, guest. */
    public static List<User> all(List<String> replicaIds) {
        List<User> users = new ArrayList<>();
        users.add(new User(ROUTER, ROUTER, List.of(), anchored(SERVER_NAMED),
                anyOf(Topology.REPLICA_EXCHANGE, Topology.DEAD_LETTER_EXCHANGE) + "|" + DEFAULT_EXCHANGE + ")$",
                anyOf(Topology.ROUTER_COMMANDS, Topology.ROUTER_QUERIES, Topology.ROUTER_ROUTES) + "|" + SERVER_NAMED + ")$"));
        for (String id : replicaIds) {
            users.add(new User(id, id, List.of(), anchored(SERVER_NAMED),
                    anyOf(Topology.MERGE_EXCHANGE, Topology.STATUS_EXCHANGE, Topology.DEAD_LETTER_EXCHANGE) + "|"
                            + DEFAULT_EXCHANGE + "|" + SERVER_NAMED + ")$",
                    anyOf(Topology.replicaCommandQueue(id), Topology.replicaMergeQueue(id), Topology.STATUS_EXCHANGE)
                            + "|" + SERVER_NAMED + ")$"));
        }
        users.add(new User(INFORMANT, INFORMANT, List.of(), NOTHING,
                anyOf(Topology.REPLICA_EXCHANGE) + "|" + DEFAULT_EXCHANGE + ")$", NOTHING));
        users.add(new User(LEIA, LEIA, List.of(), NOTHING, anchored(DEFAULT_EXCHANGE), NOTHING));
        // "management": the status command reads queue depths from the management API
        users.add(new User(ADMIN, ADMIN, List.of("management"), anchored(SERVER_NAMED),
                anyOf(Topology.MERGE_EXCHANGE) + "|" + SERVER_NAMED + ")$",
                anyOf(Topology.STATUS_EXCHANGE) + "|" + SERVER_NAMED + ")$"));
        users.add(new User(GUEST, GUEST, List.of("administrator"), ".*", ".*", ".*"));
        return users;
    }

    /** "^(a|b" for the literal names given; callers close the group. */
    private static String anyOf(String... names) {
        List<String> quoted = new ArrayList<>();
        for (String n : names) {
            quoted.add(n.replace(".", "\\."));
        }
        return "^(" + String.join("|", quoted);
    }

    private static String anchored(String regex) {
        return "^" + regex + "$";
    }

    /** Whether {@code user}'s {@code permission} regex admits {@code resource} (as the broker matches it). */
    public static boolean permits(String permission, String resource) {
        return Pattern.compile(permission).matcher(resource).find();
    }
}
