package fulcrum.admin;

import fulcrum.common.cli.ExitCodes;
import fulcrum.common.topology.Topology;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fulcrum-admin export}: placeholder with the command line {@code ./fulcrum export} already
 * uses; the export in the seed's text format is still to be written (it exits 2 until then).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes one replica's state in the seed's text format (a file per planet, a log per planet) "
                + "under --dir. NOT IMPLEMENTED YET.", "Exit 2 until implemented."})
public final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", required = true, description = "Where to write the files.")
    Path dir;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The replica's RocksDB directory.")
    Path dataDir;

    @Option(names = "--replica", paramLabel = "ID", required = true, description = "The replica's id, e.g. fulcrum-2.")
    String replica;

    @Option(names = "--replicas", paramLabel = "N", description = "Number of replicas (default: ${DEFAULT-VALUE}).")
    int replicas = Topology.DEFAULT_REPLICA_COUNT;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("fulcrum-admin: export is not implemented yet");
        spec.commandLine().getErr().flush();
        return ExitCodes.INVALID_INPUT;
    }
}
