package fulcrum.admin;

import fulcrum.common.cli.ExitCodes;
import fulcrum.core.replication.CanonicalDump;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import fulcrum.store.StoreCorruptedException;
import fulcrum.store.StoreException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fulcrum-admin dump}: the canonical text of one replica's whole state (sorted, with clocks),
 * read from its store with {@link RocksStore#openReadOnly} (no lock, so it works while the worker
 * runs; it sees the state as of the open). Planets are streamed from the store, not loaded whole.
 * Two replicas that applied the same entries print byte-identical dumps: compare them with
 * {@code diff}.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Prints a canonical text of one replica's whole state (sorted, with clocks).",
                "Exit 0; 2 when the directory holds no readable Fulcrum store (missing, corrupt, format 1)."})
public final class DumpCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The replica's RocksDB directory.")
    Path dataDir;

    @Mixin
    ReplicaCountOption replicas;

    @Override
    public Integer call() {
        try (ReadOnlyRocksStore store = RocksStore.openReadOnly(dataDir)) {
            String text = CanonicalDump.of(replicas.ids(spec), store.planets(), store.meta().appliedSeq());
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (StoreException | StoreCorruptedException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("fulcrum-admin: dump: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.INVALID_INPUT;
        }
    }
}
