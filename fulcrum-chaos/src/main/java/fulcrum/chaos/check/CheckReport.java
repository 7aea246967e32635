package fulcrum.chaos.check;

import java.util.List;

/**
 * The checker's findings. {@link #ok()} holds only when every check holds. A finding seen at several
 * replicas counts once.
 *
 * @param acknowledged       writes with an OK answer
 * @param failed             writes whose outcome is a definite error (including a permanent STALE)
 * @param unknown            writes whose outcome is unknown (no answer after every retry)
 * @param unknownApplied     of those, the ones the command records show applied
 * @param reads              reads with an OK answer
 * @param lost               acknowledged (or applied) writes with no application or whose effect is
 *                           missing from a replica's final state, and planet clock entries counting
 *                           fewer applications than the records hold
 * @param doubled            commands applied more than once (at one origin or several), applied
 *                           records that disagree between replicas, and clock entries counting more
 *                           applications than the records hold
 * @param multiOrigin        of the doubled commands, those applied at more than one replica
 * @param unexpected         final cities, counts, planets, reads or records no applied write explains
 *                           (including an effect of a write whose outcome was a definite error)
 * @param sessionViolations  session-guarantee violations (SessionChecker on the answers' clocks, and a
 *                           write applied with a clock that does not follow the session's earlier
 *                           acknowledged writes)
 * @param readViolations     reads whose answer is not the state their clock names (an older count, a
 *                           city shown after it was deleted, CITY_NOT_FOUND for a city that exists)
 * @param refusedByClient    answers the client's session check refused (counted in the checks too)
 * @param dumpsIdentical     every replica's canonical dump is byte-identical
 * @param clocksEqual        every planet has the same clock at every replica
 * @param deadLettersExpected the bad inputs that must be dead-lettered (sent on purpose, confirmed)
 * @param deadLettersFound   distinct bad inputs found in fulcrum.dead-letters
 * @param deadLettersMissing bad inputs that must be dead-lettered and were not
 * @param deadLettersForeign dead letters that are not bad inputs sent on purpose
 * @param deadLettersWrongReason dead letters of bad inputs whose code and reason are not what the input
 *                           was made to be refused for
 * @param problems           one line per finding, starting with its category (capped)
 */
public record CheckReport(long acknowledged, long failed, long unknown, long unknownApplied, long reads, long lost,
                          long doubled, long multiOrigin, long unexpected, long sessionViolations,
                          long readViolations, long refusedByClient, boolean dumpsIdentical, boolean clocksEqual,
                          long deadLettersExpected, long deadLettersFound, long deadLettersMissing,
                          long deadLettersForeign, long deadLettersWrongReason, List<String> problems) {
    public CheckReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return lost == 0 && doubled == 0 && multiOrigin == 0 && unexpected == 0 && sessionViolations == 0
                && readViolations == 0 && dumpsIdentical && clocksEqual && deadLettersMissing == 0
                && deadLettersForeign == 0 && deadLettersWrongReason == 0;
    }
}
