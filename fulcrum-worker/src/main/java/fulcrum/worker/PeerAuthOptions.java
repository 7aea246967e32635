package fulcrum.worker;

import fulcrum.common.topology.Topology;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Who a worker takes merge and status traffic from (a picocli mixin of {@link WorkerMain}). */
final class PeerAuthOptions {
    @Option(names = "--peer-auth", paramLabel = "MODE", defaultValue = "auto", converter = ModeConverter.class,
            description = "on: take merge and status messages only from the replica users (their AMQP user_id), a merge"
                    + " request also from the admin users; off: from anyone; auto: on when this worker connects as one"
                    + " of the replica users, off otherwise (guest in local development) (default ${DEFAULT-VALUE})")
    WorkerSettings.PeerAuth.Mode mode;

    @Option(names = "--replica-users", paramLabel = "USER", split = ",",
            description = "the replicas' broker users (default: the replica ids, fulcrum-1..fulcrum-N)")
    List<String> replicaUsers;

    @Option(names = "--admin-users", paramLabel = "USER", split = ",", defaultValue = "fulcrum-admin",
            description = "broker users that may ask for a merge round (default ${DEFAULT-VALUE})")
    List<String> adminUsers;

    WorkerSettings.PeerAuth.Mode mode() {
        return mode;
    }

    Set<String> replicaUsers(int replicaCount) {
        return replicaUsers == null ? new LinkedHashSet<>(Topology.replicaIds(replicaCount)) : clean(replicaUsers);
    }

    Set<String> adminUsers() {
        return clean(adminUsers);
    }

    private static Set<String> clean(List<String> users) {
        Set<String> set = new LinkedHashSet<>();
        users.stream().map(String::trim).filter(u -> !u.isEmpty()).forEach(set::add);
        return set;
    }

    /** Accepts auto / on / off in any case. */
    static final class ModeConverter implements CommandLine.ITypeConverter<WorkerSettings.PeerAuth.Mode> {
        @Override
        public WorkerSettings.PeerAuth.Mode convert(String value) {
            try {
                return WorkerSettings.PeerAuth.Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected one of "
                        + Arrays.toString(WorkerSettings.PeerAuth.Mode.values()).toLowerCase(Locale.ROOT) + ", got '" + value + "'");
            }
        }
    }
}
