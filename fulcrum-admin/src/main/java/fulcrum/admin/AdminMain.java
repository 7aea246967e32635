package fulcrum.admin;

import fulcrum.common.cli.ExitCodes;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fulcrum-admin}: operator commands against a running Fulcrum. Each subcommand is its own
 * class registered below: {@code status} and {@code merge} talk to the broker (sharing
 * {@link BrokerOptions}); {@code dump} and {@code export} read a replica's store read-only
 * ({@code fulcrum-store}; the admin never depends on the worker daemon). Exit codes are those of every Fulcrum
 * CLI ({@link ExitCodes}): 0 done, 2 bad command line, 3 broker or cluster unavailable (including a
 * merge that did not converge in time), and {@link #FAILED} for an unexpected failure.
 */
@Command(name = "fulcrum-admin", mixinStandardHelpOptions = true, version = "fulcrum-admin 0.1.0",
        description = "Operator commands for a Fulcrum cluster.",
        subcommands = {StatusCommand.class, MergeCommand.class, DumpCommand.class, ExportCommand.class,
                CommandLine.HelpCommand.class})
public final class AdminMain implements Runnable {
    /** An unexpected failure while the broker was reachable (the value of {@link ExitCodes#REJECTED}). */
    public static final int FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one invocation and returns its exit code (used by {@link #main} and by tests, in process). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new AdminMain());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("fulcrum-admin: " + e.getMessage());
            c.getErr().println("usage: " + c.getCommandSpec().qualifiedName() + " --help");
            c.getErr().flush();
            return ExitCodes.INVALID_INPUT;
        });
        cli.setExecutionExceptionHandler((e, c, parseResult) -> {
            if (e instanceof BrokerUnreachableException || e instanceof ClusterUnavailableException) {
                c.getErr().println("fulcrum-admin: " + e.getMessage());
                c.getErr().flush();
                return ExitCodes.UNAVAILABLE;
            }
            c.getErr().println("fulcrum-admin: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            c.getErr().flush();
            return FAILED;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Without a subcommand: usage on stderr, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (one of: status, merge, dump, export)");
    }
}
