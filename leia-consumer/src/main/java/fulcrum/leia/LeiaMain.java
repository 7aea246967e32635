package fulcrum.leia;

import fulcrum.common.cli.CliRunner;
import fulcrum.common.cli.ClientCli;
import fulcrum.core.domain.CommandKind;
import java.util.EnumSet;
import java.util.Set;
import picocli.CommandLine.Command;

/** Leia Organa: asks how many rebels a city has (GetNumberRebelds) through Mos Eisley. */
@Command(name = "leia", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Ask the Fulcrum registry how many rebels hide in a city.",
        footer = {"", "Commands:", "  GetNumberRebelds PLANET CITY",
                "", "Exit codes: 0 ok, 1 rejected by the store, 2 invalid usage or input, 3 unavailable or timeout."})
public final class LeiaMain extends ClientCli {

    @Override
    protected Set<CommandKind> allowedCommands() {
        return EnumSet.of(CommandKind.GetNumberRebelds);
    }

    @Override
    protected String role() {
        return "leia";
    }

    public static void main(String[] args) {
        System.exit(CliRunner.run(new LeiaMain(), args));
    }
}
