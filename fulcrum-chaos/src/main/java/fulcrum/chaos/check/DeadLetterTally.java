package fulcrum.chaos.check;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The dead-letter queue against the bad inputs sent on purpose: how many of those that must be
 * dead-lettered were ({@code found}) or were not ({@code missing}), how many dead letters are no bad
 * input sent on purpose ({@code foreign}), and how many give another reason than the one their input
 * was made for ({@code wrongReason}). Presence counts, not multiplicity: every replica that gets a
 * copy of a bad merge or status message dead-letters its copy, and a redelivery after a crash may
 * dead-letter one twice. Each finding is noted.
 */
record DeadLetterTally(long found, long missing, long foreign, long wrongReason) {
    static DeadLetterTally of(FuzzLedger fuzz, List<DeadLetter> deadLetters, Findings findings) {
        Set<String> found = new TreeSet<>();
        long foreign = 0;
        long wrongReason = 0;
        Map<String, Pattern> patterns = new HashMap<>();
        fuzz.reasons().forEach((id, regex) -> patterns.put(id, Pattern.compile(regex)));
        for (DeadLetter d : deadLetters) {
            if (d.fuzzId() == null || !fuzz.sent().contains(d.fuzzId())) {
                foreign++;
                findings.note("dead letter that is no bad input sent on purpose: " + d.fuzzId() + " " + d.code() + " "
                        + d.reason() + " (by " + d.by() + ")");
                continue;
            }
            found.add(d.fuzzId());
            Pattern want = patterns.get(d.fuzzId());
            if (want != null && !want.matcher(d.code() + " " + d.reason()).find()) {
                wrongReason++;
                findings.note("bad input " + d.fuzzId() + " was dead-lettered by " + d.by() + " for another reason than the one "
                        + "it was made for: " + d.code() + " " + d.reason() + " (expected /" + want.pattern() + "/)");
            }
        }
        Set<String> missing = new TreeSet<>(fuzz.expected());
        missing.removeAll(found);
        for (String id : missing) {
            findings.note("bad input " + id + " was not dead-lettered");
        }
        return new DeadLetterTally(found.stream().filter(fuzz.expected()::contains).count(), missing.size(), foreign,
                wrongReason);
    }
}
