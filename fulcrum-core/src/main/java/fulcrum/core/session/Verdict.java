package fulcrum.core.session;

import fulcrum.core.domain.ErrorCode;
import java.util.Objects;

/**
 * What a session decided about one reply ({@link SessionState#check}). Either accepted (the client
 * may show it), or refused with a code ({@code STALE}, or {@code UNAVAILABLE} when the reply says no
 * replica could answer) and a one-line reason fit for the CLI's error output.
 */
public record Verdict(boolean accepted, ErrorCode code, String reason) {
    private static final Verdict ACCEPTED = new Verdict(true, null, null);

    public Verdict {
        if (accepted != (code == null) || accepted != (reason == null)) {
            throw new IllegalArgumentException("an accepted verdict has no code or reason; a refusal has both");
        }
    }

    public static Verdict accept() {
        return ACCEPTED;
    }

    public static Verdict refuse(ErrorCode code, String reason) {
        return new Verdict(false, Objects.requireNonNull(code, "code"), Objects.requireNonNull(reason, "reason"));
    }

    @Override
    public String toString() {
        return accepted ? "accepted" : code + ": " + reason;
    }
}
