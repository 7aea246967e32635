package fulcrum.informant;

import fulcrum.common.cli.CliRunner;
import fulcrum.common.cli.ClientCli;
import fulcrum.core.domain.CommandKind;
import java.util.EnumSet;
import java.util.Set;
import picocli.CommandLine.Command;

/** An informant: reports AddCity, UpdateName, UpdateNumber and DeleteCity through Mos Eisley. */
@Command(name = "informant", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Send one write to the Fulcrum registry and print the replica's reply.",
        footer = {"", "Commands:",
                "  AddCity PLANET CITY [REBELS]",
                "  UpdateName PLANET CITY NEW_NAME",
                "  UpdateNumber PLANET CITY REBELS",
                "  DeleteCity PLANET CITY",
                "", "Exit codes: 0 ok, 1 rejected by the store, 2 invalid usage or input, 3 unavailable or timeout."})
public final class InformantMain extends ClientCli {

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
