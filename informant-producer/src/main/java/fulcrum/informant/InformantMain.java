package fulcrum.informant;

import fulcrum.common.cli.CliRunner;
import fulcrum.common.cli.ClientCli;
import fulcrum.common.cli.ExitCodes;
import fulcrum.core.domain.CommandKind;
import fulcrum.informant.bulk.BulkLoad;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** An informant: reports AddCity, UpdateName, UpdateNumber and DeleteCity through Mos Eisley. */
@Command(name = "informant", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Send one write (or, with --file, many) to the Fulcrum registry and print the replica's reply.",
        footer = {"", "Commands:",
                "  AddCity PLANET CITY [REBELS]",
                "  UpdateName PLANET CITY NEW_NAME",
                "  UpdateNumber PLANET CITY REBELS",
                "  DeleteCity PLANET CITY",
                "", "--file FILE (- for standard input): one command per line as above (the seed's log format);",
                "blank lines and # comments are skipped.",
                "", "Exit codes: 0 ok, 1 rejected by the store (with --file: some rejected or bad lines skipped),",
                "2 invalid usage or input (nothing sent), 3 unavailable or timeout (with --file: some unknown)."})
public final class InformantMain extends ClientCli {
    static final int MAX_IN_FLIGHT = 4096;
    static final int DEFAULT_IN_FLIGHT = 64;

    @Option(names = "--file", paramLabel = "FILE",
            description = "Send every command of FILE (- for standard input), one per line, many in flight.")
    String file;

    @Option(names = "--in-flight", paramLabel = "N",
            description = "With --file: at most N commands in flight at a time (default: ${DEFAULT-VALUE}).")
    int inFlight = DEFAULT_IN_FLIGHT;

    @Option(names = "--strict", description = "With --file: any bad line aborts the run before anything is sent.")
    boolean strict;

    @Option(names = "--no-progress", description = "With --file: no progress bar (it is drawn only on a terminal).")
    boolean noProgress;

    private final InputStream standardInput;

    public InformantMain() {
        this(System.in);
    }

    /** With another standard input, for {@code --file -}. */
    public InformantMain(InputStream standardInput) {
        this.standardInput = standardInput;
    }

    @Override
    public Integer call() {
        if (file == null) {
            if (strict || noProgress || inFlight != DEFAULT_IN_FLIGHT) {
                commandSpec().commandLine().getErr().println("error: --strict, --in-flight and --no-progress apply to --file only");
                commandSpec().commandLine().getErr().flush();
                return ExitCodes.INVALID_INPUT;
            }
            return super.call();
        }
        PrintWriter out = commandSpec().commandLine().getOut();
        PrintWriter err = commandSpec().commandLine().getErr();
        String problem = bulkUsageProblem();
        if (problem != null) {
            err.println("error: " + problem);
            err.flush();
            return ExitCodes.INVALID_INPUT;
        }
        try {
            resolveBroker(err);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return ExitCodes.INVALID_INPUT;
        }
        BulkLoad.Settings settings = new BulkLoad.Settings(file, strict, inFlight, jsonOutput(), !noProgress,
                noSession() ? null : sessionPath());
        return new BulkLoad(settings, allowedCommands(), role(), out, err).run(standardInput, this::connectClient);
    }

    private String bulkUsageProblem() {
        if (hasCommandArguments()) {
            return "give either --file or one command, not both";
        }
        if (commandIdOption() != null) {
            return "--command-id names one command; with --file every line gets an id of its own";
        }
        if (inFlight < 1 || inFlight > MAX_IN_FLIGHT) {
            return "--in-flight must be 1.." + MAX_IN_FLIGHT + ", got " + inFlight;
        }
        if (file.isBlank()) {
            return "--file needs a file name, or - for standard input";
        }
        return sessionNameProblem();
    }

    @Override
    protected Set<CommandKind> allowedCommands() {
        return EnumSet.of(CommandKind.AddCity, CommandKind.UpdateName, CommandKind.UpdateNumber, CommandKind.DeleteCity);
    }

    @Override
    protected String role() {
        return "informant";
    }

    public static void main(String[] args) {
        System.exit(CliRunner.run(new InformantMain(), args));
    }
}
