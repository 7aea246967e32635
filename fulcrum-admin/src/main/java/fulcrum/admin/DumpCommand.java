package fulcrum.admin;

import fulcrum.common.cli.ExitCodes;
import fulcrum.common.topology.Topology;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fulcrum-admin dump}: placeholder with the command line {@code ./fulcrum dump} already
 * uses; the canonical dump of a replica's store is still to be written (it exits 2 until then).
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Prints a canonical text of one replica's whole state (sorted, with clocks). NOT IMPLEMENTED YET.",
                "Exit 2 until implemented."})
public final class DumpCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The replica's RocksDB directory.")
    Path dataDir;

    @Option(names = "--replicas", paramLabel = "N", description = "Number of replicas (default: ${DEFAULT-VALUE}).")
    int replicas = Topology.DEFAULT_REPLICA_COUNT;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("fulcrum-admin: dump is not implemented yet");
        spec.commandLine().getErr().flush();
        return ExitCodes.INVALID_INPUT;
    }
}
