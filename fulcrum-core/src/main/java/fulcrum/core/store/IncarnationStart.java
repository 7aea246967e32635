package fulcrum.core.store;

/**
 * The first sequence number one incarnation of an origin wrote. An origin's sequence numbers
 * continue across incarnations, so its incarnations' starts are increasing in both fields' order of
 * appearance, and entry {@code (origin, seq)} belongs to the incarnation with the greatest
 * {@code firstSeq <= seq}.
 */
public record IncarnationStart(long incarnation, long firstSeq) {
    public IncarnationStart {
        if (incarnation < 1) {
            throw new IllegalArgumentException("incarnation is positive, got " + incarnation);
        }
        if (firstSeq < 1) {
            throw new IllegalArgumentException("firstSeq starts at 1, got " + firstSeq);
        }
    }
}
