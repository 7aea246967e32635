package fulcrum.router;

/**
 * Test-only crash points: when {@code FULCRUM_CRASH_POINT} names a point, the process halts there
 * (as kill -9 would), so tests hit the dangerous windows on purpose. Production never sets it.
 */
final class CrashPoints {
    static final String ROUTER_AFTER_FORWARD_BEFORE_ACK = "router.after-forward-before-ack";
    private static final String ENABLED = System.getenv("FULCRUM_CRASH_POINT");

    private CrashPoints() {
    }

    static void hit(String point) {
        if (point.equals(ENABLED)) {
            System.err.println("CRASH POINT " + point);
            System.err.flush();
            Runtime.getRuntime().halt(86);
        }
    }
}
