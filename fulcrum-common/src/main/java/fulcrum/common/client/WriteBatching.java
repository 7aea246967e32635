package fulcrum.common.client;

/**
 * How {@link FulcrumClient#submit} has sent writes to replicas so far: {@code messages} published,
 * carrying {@code writes} (a write sent again after a {@code STALE} counts again).
 */
public record WriteBatching(long messages, long writes) {
    /** Writes per message on average (0 before the first). */
    public double writesPerMessage() {
        return messages == 0 ? 0 : (double) writes / messages;
    }
}
