package fulcrum.core.node;

/**
 * Where the answer to a command goes: the request's {@code reply_to} and {@code correlation_id}
 * (either may be null; no {@code reply_to}, no answer).
 */
public record ReplyAddress(String replyTo, String correlationId) {
    public static final ReplyAddress NONE = new ReplyAddress(null, null);

    public boolean wanted() {
        return replyTo != null && !replyTo.isEmpty();
    }
}
