package fulcrum.common.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Runs a picocli command with Fulcrum's conventions: usage errors exit 2, no stack traces. */
public final class CliRunner {
    private CliRunner() {
    }

    public static int run(Object command, String... args) {
        return run(command, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(Object command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        // Everything after the command name is an argument, so a count like -5 is reported as a bad count.
        cli.setStopAtPositional(true);
        cli.setExitCodeExceptionMapper(e -> ExitCodes.INVALID_INPUT);
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("error: " + e.getMessage());
            c.getErr().println("usage: see " + c.getCommandName() + " --help");
            c.getErr().flush();
            return ExitCodes.INVALID_INPUT;
        });
        cli.setExecutionExceptionHandler((e, c, parseResult) -> {
            c.getErr().println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            c.getErr().flush();
            return ExitCodes.UNAVAILABLE;
        });
        return cli.execute(args);
    }
}
