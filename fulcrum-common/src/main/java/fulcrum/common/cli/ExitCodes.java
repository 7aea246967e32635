package fulcrum.common.cli;

import fulcrum.core.domain.ErrorCode;

/** The exit codes of every Fulcrum CLI; scripts depend on them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int REJECTED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int UNAVAILABLE = 3;

    private ExitCodes() {
    }

    public static int of(ErrorCode code) {
        if (code == ErrorCode.UNAVAILABLE) {
            return UNAVAILABLE;
        }
        return code.isRejection() ? REJECTED : INVALID_INPUT;
    }
}
