package fulcrum.chaos.check;

import java.util.List;

/**
 * The checker's findings. {@link #ok()} holds only when every check holds.
 *
 * @param acknowledged       writes with an OK answer
 * @param failed             writes with only definite error answers
 * @param unknown            writes whose outcome is unknown (no answer after every retry)
 * @param reads              reads with an OK answer
 * @param lost               acknowledged writes whose effect is missing from a replica's final state
 * @param doubled            commands applied more than once at one origin (op logs), or planets
 *                           whose clock counts more writes than were acknowledged or unknown
 * @param multiOrigin        commands applied at more than one replica (op logs)
 * @param unexpected         final values (or reads) no attempted write explains
 * @param sessionViolations  session-guarantee violations (clocks by SessionChecker, and read values)
 * @param refusedByClient    answers the client's session check refused (also counted as violations)
 * @param dumpsIdentical     every replica's canonical dump is byte-identical
 * @param clocksEqual        every planet has the same clock at every replica
 * @param deadLettersExpected the bad inputs sent on purpose (and confirmed by the broker)
 * @param deadLettersFound   dead letters of those found in fulcrum.dead-letters (distinct)
 * @param deadLettersMissing bad inputs sent on purpose and not dead-lettered
 * @param deadLettersForeign dead letters that are not bad inputs sent on purpose
 * @param problems           one line per problem (capped)
 */
public record CheckReport(long acknowledged, long failed, long unknown, long reads, long lost, long doubled,
                          long multiOrigin, long unexpected, long sessionViolations, long refusedByClient,
                          boolean dumpsIdentical, boolean clocksEqual, long deadLettersExpected,
                          long deadLettersFound, long deadLettersMissing, long deadLettersForeign,
                          List<String> problems) {
    public CheckReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return lost == 0 && doubled == 0 && multiOrigin == 0 && unexpected == 0 && sessionViolations == 0
                && dumpsIdentical && clocksEqual && deadLettersMissing == 0 && deadLettersForeign == 0;
    }
}
