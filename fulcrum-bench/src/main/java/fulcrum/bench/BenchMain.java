package fulcrum.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fulcrum-bench}: measurements of a cluster of its own (never the machine's broker). */
@Command(name = "fulcrum-bench", mixinStandardHelpOptions = true, version = "fulcrum-bench 0.1.0",
        description = "Measure Fulcrum on a cluster of its own.", subcommands = {RunBench.class, ScaleBench.class})
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code main} runs it: a failure is one line and exit code 3, bad usage exit 2. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("fulcrum-bench: " + e.getMessage());
            return 3;
        });
        return cli;
    }
}
