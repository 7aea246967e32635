package fulcrum.core.router;

import fulcrum.core.domain.ErrorCode;
import java.util.List;
import java.util.Objects;

/**
 * Mos Eisley's answer to a route request: the replicas to offer a write to, in order, or why it
 * gives none. The client sends the write to the first, and to the next only after the one before
 * answered {@code STALE} (that refusal is recorded for good, which is what lets the walk go on
 * without applying the command twice).
 *
 * @param order       every replica exactly once, in the write's order; empty when refused
 * @param errorCode   why no order is given (null when one is)
 * @param errorMessage what to tell the user (null when an order is given)
 */
public record RouteAnswer(List<String> order, ErrorCode errorCode, String errorMessage) {
    public RouteAnswer {
        order = List.copyOf(order);
        if ((errorCode == null) == order.isEmpty()) {
            throw new IllegalArgumentException("a route answer carries either an order or an error");
        }
        if (errorCode != null) {
            Objects.requireNonNull(errorMessage, "errorMessage");
        }
    }

    public static RouteAnswer route(List<String> order) {
        return new RouteAnswer(order, null, null);
    }

    public static RouteAnswer refused(ErrorCode code, String message) {
        return new RouteAnswer(List.of(), code, message);
    }

    public boolean ok() {
        return errorCode == null;
    }
}
