package fulcrum.admin;

import fulcrum.common.topology.Topology;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --replicas N} option every admin subcommand shares (a picocli mixin). */
public final class ReplicaCountOption {
    @Option(names = "--replicas", paramLabel = "N", description = "Number of replicas (default: ${DEFAULT-VALUE}).")
    int replicas = Topology.DEFAULT_REPLICA_COUNT;

    /** fulcrum-1..N; a count out of range is a usage error (exit 2). */
    List<String> ids(CommandSpec spec) {
        try {
            return Topology.replicaIds(replicas);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replicas: " + e.getMessage());
        }
    }
}
