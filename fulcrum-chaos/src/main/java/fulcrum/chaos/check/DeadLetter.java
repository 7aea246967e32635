package fulcrum.chaos.check;

/**
 * One message found in {@code fulcrum.dead-letters}.
 *
 * @param fuzzId the {@code x-chaos-fuzz} header (null: not a bad input sent on purpose)
 * @param code   {@code x-fulcrum-error-code}
 * @param reason {@code x-fulcrum-error-reason}
 * @param by     {@code x-fulcrum-dead-lettered-by} (the router or a replica)
 */
public record DeadLetter(String fuzzId, String code, String reason, String by) {
}
