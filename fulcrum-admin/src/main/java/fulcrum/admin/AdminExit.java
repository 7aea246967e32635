package fulcrum.admin;

/** Exit codes of fulcrum-admin, the same values as the other Fulcrum CLIs use. */
public final class AdminExit {
    public static final int OK = 0;
    /** An unexpected failure while the broker was reachable. */
    public static final int FAILED = 1;
    /** Bad command line. */
    public static final int USAGE = 2;
    /** The broker could not be reached (or refused the login). */
    public static final int UNREACHABLE = 3;

    private AdminExit() {
    }
}
