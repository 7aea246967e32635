package fulcrum.chaos.check;

import java.util.Map;
import java.util.Set;

/**
 * What the fuzzer sent on purpose, for the dead-letter check.
 *
 * @param sent     the fuzz id of every bad input sent (a dead letter of any of them is no stranger)
 * @param expected those that must be dead-lettered: the broker confirmed them and did not return them
 * @param reasons  per fuzz id, a regular expression that {@code "<error code> <error reason>"} of each of
 *                 its dead letters must contain (it was refused for the reason it was made for)
 */
public record FuzzLedger(Set<String> sent, Set<String> expected, Map<String, String> reasons) {
    public FuzzLedger {
        sent = Set.copyOf(sent);
        expected = Set.copyOf(expected);
        reasons = Map.copyOf(reasons);
    }

    public static FuzzLedger none() {
        return new FuzzLedger(Set.of(), Set.of(), Map.of());
    }
}
