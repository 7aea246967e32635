package fulcrum.core.replica;

/**
 * What a replica decided for one command. The caller persists {@code planetAfter} and
 * {@code operation} (when the write was accepted) together with the reply, durably, and only then
 * sends the reply and acknowledges the command.
 *
 * @param operation   the new op-log entry, or null when nothing changed (rejected write, query)
 * @param planetAfter the planet to store, or null when nothing changed
 */
public record Step(Reply reply, Operation operation, Planet planetAfter) {
    public boolean changedState() {
        return operation != null;
    }
}
