package fulcrum.core.node;

import fulcrum.core.protocol.MergeNow;
import fulcrum.core.protocol.PeerMessage;
import java.util.Objects;
import java.util.Set;

/**
 * Who may speak on the replicas' channels ({@code fulcrum.merge}, the merge queues,
 * {@code fulcrum.status}). The sender is the message's AMQP {@code user_id}, which the broker checks
 * against the user of the publishing connection, so it cannot be forged by another broker user.
 *
 * @param required     whether the check applies; off, every message is taken (local development as guest)
 * @param replicaUsers the broker users of the replicas: they may send everything
 * @param adminUsers   the broker users of the admin tool: they may only ask for a merge round
 */
public record PeerAuthentication(boolean required, Set<String> replicaUsers, Set<String> adminUsers) {
    /** No check: the seed's behaviour, and the simulations'. */
    public static final PeerAuthentication OFF = new PeerAuthentication(false, Set.of(), Set.of());

    public PeerAuthentication {
        replicaUsers = Set.copyOf(replicaUsers);
        adminUsers = Set.copyOf(adminUsers);
        if (required && replicaUsers.isEmpty()) {
            throw new IllegalArgumentException("peer authentication needs at least one replica user");
        }
    }

    public static PeerAuthentication of(Set<String> replicaUsers, Set<String> adminUsers) {
        return new PeerAuthentication(true, replicaUsers, adminUsers);
    }

    /** Why {@code sender} may not send {@code message}, or null when it may. */
    public String refusal(String sender, PeerMessage message) {
        Objects.requireNonNull(message, "message");
        if (!required) {
            return null;
        }
        if (sender == null || sender.isEmpty()) {
            return "a " + message.type() + " without user_id";
        }
        if (replicaUsers.contains(sender)) {
            return null;
        }
        if (message instanceof MergeNow && adminUsers.contains(sender)) {
            return null;
        }
        return "a " + message.type() + " from broker user '" + sender + "', who is no "
                + (message instanceof MergeNow ? "replica or admin user" : "replica user");
    }
}
