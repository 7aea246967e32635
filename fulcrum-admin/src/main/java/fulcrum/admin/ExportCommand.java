package fulcrum.admin;

import fulcrum.common.cli.ExitCodes;
import fulcrum.core.replica.Planet;
import fulcrum.core.replication.SeedFormat;
import fulcrum.worker.store.RocksReplicaStore;
import fulcrum.worker.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fulcrum-admin export}: one replica's state in the seed's text format, under
 * {@code DIR/<replica>/}: {@code <planet>.txt} (a {@code # clock [..]} line, then
 * {@code planet city rebels} lines) and {@code <planet>.log} ({@code action planet city [value]} for
 * the operations not yet compacted). See {@link SeedFormat}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Writes one replica's state in the seed's text format (a file and a log per planet) under DIR/<replica>/.")
public final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", required = true, description = "Where to write the files.")
    Path dir;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The replica's RocksDB directory.")
    Path dataDir;

    @Option(names = "--replica", paramLabel = "ID", required = true, description = "The replica's id, e.g. fulcrum-2.")
    String replica;

    @Mixin
    ReplicaCountOption replicas;

    @Override
    public Integer call() {
        try {
            RocksReplicaStore.Snapshot snapshot = RocksReplicaStore.readSnapshot(dataDir);
            if (!snapshot.replicaId().equals(replica)) {
                return fail("the store in " + dataDir + " belongs to " + snapshot.replicaId() + ", not " + replica);
            }
            List<String> ids = replicas.ids(spec);
            Path target = dir.resolve(replica);
            Files.createDirectories(target);
            for (Planet planet : snapshot.state().planets().values()) {
                // planet names are 1..64 characters without white space; '/' would escape the directory
                String file = planet.name().replace('/', '_');
                Files.writeString(target.resolve(file + ".txt"), SeedFormat.planetFile(planet, ids), StandardCharsets.UTF_8);
                Files.writeString(target.resolve(file + ".log"), SeedFormat.logFile(planet, snapshot.operations()),
                        StandardCharsets.UTF_8);
            }
            spec.commandLine().getOut().println(replica + ": " + snapshot.state().planets().size()
                    + " planet(s) written to " + target);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (StoreException | IllegalArgumentException e) {
            return fail(e.getMessage());
        } catch (IOException e) {
            return fail("cannot write under " + dir + ": " + e.getMessage());
        }
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("fulcrum-admin: export: " + message);
        spec.commandLine().getErr().flush();
        return ExitCodes.INVALID_INPUT;
    }
}
