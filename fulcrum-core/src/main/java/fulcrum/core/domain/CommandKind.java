package fulcrum.core.domain;

import java.util.Arrays;
import java.util.Optional;

/** The operations of the registry, named as on the wire and on the command line. */
public enum CommandKind {
    AddCity(true),
    UpdateName(true),
    UpdateNumber(true),
    DeleteCity(true),
    GetNumberRebelds(false);

    private final boolean write;

    CommandKind(boolean write) {
        this.write = write;
    }

    public boolean isWrite() {
        return write;
    }

    public static Optional<CommandKind> parse(String name) {
        return Arrays.stream(values()).filter(k -> k.name().equals(name)).findFirst();
    }
}
