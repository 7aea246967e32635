package fulcrum.core.router;

/**
 * Names one inbound client message for the shell's ack; the core never looks inside. The shell
 * uses the channel epoch it counted and the broker's delivery tag: a tag is only meaningful on the
 * channel that delivered it, so a ref of an older epoch is never acked.
 */
public record InboundRef(long channelEpoch, long deliveryTag) {
}
