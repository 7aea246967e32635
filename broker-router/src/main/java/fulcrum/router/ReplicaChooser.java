package fulcrum.router;

import fulcrum.core.domain.Command;

/** Routing policy: which replica serves a command. Pure; the router does the I/O. */
public interface ReplicaChooser {
    String choose(Command command);
}
