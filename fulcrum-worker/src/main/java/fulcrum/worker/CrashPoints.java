package fulcrum.worker;

/**
 * Test-only crash points. When the environment variable {@value #VARIABLE} names a point, the
 * process halts there with exit code {@value #EXIT_CODE}, as abruptly as {@code kill -9} (no
 * shutdown hooks, nothing flushed). Production never sets the variable. A point is reached only by
 * a batch that settles deliveries, so an armed worker does not halt at its start (its join, its
 * first announcement) but at the first command or peer message it carries out.
 */
public final class CrashPoints {
    public static final String VARIABLE = "FULCRUM_CRASH_POINT";
    public static final int EXIT_CODE = 86;

    /**
     * After the synced RocksDB write of a batch that settles deliveries of the command or merge queue
     * (a client's write, a peer's entries), before any reply, dead letter or ack.
     */
    public static final String AFTER_COMMIT_BEFORE_ACK = "worker.after-commit-before-ack";

    /**
     * After a batch that settles deliveries of the command or merge queue published its peer messages
     * (its own entries, in eager mode) and they were confirmed, before its replies and acks: the peers
     * hold entries whose writes nobody was told about yet.
     */
    public static final String AFTER_PUBLISH_BEFORE_REPLY = "worker.after-publish-before-reply";

    private static final String ARMED = System.getenv(VARIABLE);

    private CrashPoints() {
    }

    public static boolean isArmed(String point) {
        return point.equals(ARMED);
    }

    public static void hit(String point) {
        if (isArmed(point)) {
            System.err.println("crash point " + point + " reached: halting with exit code " + EXIT_CODE);
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
