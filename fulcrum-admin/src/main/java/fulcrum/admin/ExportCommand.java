package fulcrum.admin;

import fulcrum.common.cli.ExitCodes;
import fulcrum.core.replica.Operation;
import fulcrum.core.replica.Planet;
import fulcrum.core.replication.SeedFormat;
import fulcrum.store.ReadOnlyRocksStore;
import fulcrum.store.RocksStore;
import fulcrum.store.StoreCorruptedException;
import fulcrum.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fulcrum-admin export}: one replica's state in the seed's text format, under
 * {@code DIR/<replica>/}: {@code <planet>.txt} (a {@code # clock [..]} line, then
 * {@code planet city rebels} lines) and {@code <planet>.log} ({@code action planet city [value]} for
 * the op-log entries the store still holds, i.e. not yet compacted). See {@link SeedFormat}.
 *
 * <p>Reads the store with {@link RocksStore#openReadOnly}: planets are streamed one at a time; the
 * op log's writes are gathered per planet first (the log files need them in stamp order), so memory
 * grows with the entries not yet compacted, never with the number of cities.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes one replica's state in the seed's text format (a file and a log per planet) under DIR/<replica>/.",
                "Exit 0; 2 when the store is not readable or belongs to another replica, or a file cannot be written."})
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
        List<String> ids = replicas.ids(spec);
        try (ReadOnlyRocksStore store = RocksStore.openReadOnly(dataDir)) {
            if (!store.replicaId().equals(replica)) {
                return fail("the store in " + dataDir + " belongs to " + store.replicaId() + ", not " + replica);
            }
            Map<String, List<Operation>> writesByPlanet = new HashMap<>();
            for (Operation op : store.allOperations()) {
                if (op.kind().changesState()) {
                    writesByPlanet.computeIfAbsent(op.planet(), p -> new ArrayList<>()).add(op);
                }
            }
            Path target = dir.resolve(replica);
            Files.createDirectories(target);
            int planets = 0;
            for (Planet planet : store.planets()) {
                // planet names are 1..64 characters without white space; '/' would leave the directory
                String file = planet.name().replace('/', '_');
                Files.writeString(target.resolve(file + ".txt"), SeedFormat.planetFile(planet, ids), StandardCharsets.UTF_8);
                Files.writeString(target.resolve(file + ".log"),
                        SeedFormat.logFile(planet, writesByPlanet.getOrDefault(planet.name(), List.of())),
                        StandardCharsets.UTF_8);
                planets++;
            }
            spec.commandLine().getOut().println(replica + ": " + planets + " planet(s) written to " + target);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (StoreException | StoreCorruptedException | IllegalArgumentException e) {
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
