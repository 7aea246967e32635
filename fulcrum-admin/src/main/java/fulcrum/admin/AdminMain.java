package fulcrum.admin;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fulcrum-admin}: operator commands against a running Fulcrum. Each subcommand is its own
 * class registered below ({@code status} now; {@code merge}, {@code dump}, {@code export} to come),
 * sharing {@link BrokerOptions} for how to reach the broker and {@link AdminExit} for exit codes.
 */
@Command(name = "fulcrum-admin", mixinStandardHelpOptions = true, version = "fulcrum-admin 0.1.0",
        description = "Operator commands for a Fulcrum cluster.",
        subcommands = {StatusCommand.class, CommandLine.HelpCommand.class})
public final class AdminMain implements Runnable {
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
            return AdminExit.USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parseResult) -> {
            if (e instanceof BrokerUnreachableException) {
                c.getErr().println("fulcrum-admin: " + e.getMessage());
                c.getErr().flush();
                return AdminExit.UNREACHABLE;
            }
            c.getErr().println("fulcrum-admin: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            c.getErr().flush();
            return AdminExit.FAILED;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Without a subcommand: usage on stderr, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (one of: status)");
    }
}
