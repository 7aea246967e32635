package fulcrum.admin;

import fulcrum.common.cli.ExitCodes;
import fulcrum.worker.store.RocksReplicaStore;
import fulcrum.worker.store.StoreException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fulcrum-admin dump}: the canonical text of one replica's whole state (sorted, with clocks),
 * read from its RocksDB directory without a lock, so it works while the worker runs. Two replicas
 * that applied the same operations print byte-identical dumps: compare them with {@code diff}.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Prints a canonical text of one replica's whole state (sorted, with clocks).")
public final class DumpCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The replica's RocksDB directory.")
    Path dataDir;

    @Mixin
    ReplicaCountOption replicas;

    @Override
    public Integer call() {
        try {
            spec.commandLine().getOut().print(RocksReplicaStore.canonicalDump(dataDir, replicas.ids(spec)));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (StoreException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("fulcrum-admin: dump: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.INVALID_INPUT;
        }
    }
}
