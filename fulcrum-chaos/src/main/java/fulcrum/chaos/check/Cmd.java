package fulcrum.chaos.check;

import fulcrum.chaos.history.HistoryEvent;
import fulcrum.chaos.history.HistoryEvent.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command as the history tells it: its first invocation, every answer of its attempts, and the
 * outcome they add up to.
 *
 * <p>The outcome: OK if any attempt was answered OK. Else FAIL if the last answer is a definite error
 * other than STALE or UNAVAILABLE (CITY_NOT_FOUND, CITY_ALREADY_EXISTS, an input error): a replica
 * keeps one outcome per command id and answers every attempt with it, so that error is the command's
 * outcome. Else UNKNOWN if any attempt got no answer or UNAVAILABLE (it may have been applied
 * somewhere). Else every attempt was answered STALE: a permanent refusal, FAIL.
 */
record Cmd(HistoryEvent invoke, Type outcome, List<HistoryEvent> answers) {

    static Map<String, Cmd> of(Collection<HistoryEvent> history) {
        Map<String, HistoryEvent> invokes = new LinkedHashMap<>();
        Map<String, List<HistoryEvent>> answers = new LinkedHashMap<>();
        for (HistoryEvent e : history) {
            if (e.type() == Type.INVOKE) {
                invokes.putIfAbsent(e.commandId(), e);
            } else {
                answers.computeIfAbsent(e.commandId(), k -> new ArrayList<>()).add(e);
            }
        }
        Map<String, Cmd> out = new LinkedHashMap<>();
        for (Map.Entry<String, HistoryEvent> e : invokes.entrySet()) {
            List<HistoryEvent> a = answers.getOrDefault(e.getKey(), List.of());
            out.put(e.getKey(), new Cmd(e.getValue(), outcome(a), List.copyOf(a)));
        }
        return out;
    }

    private static Type outcome(List<HistoryEvent> answers) {
        if (answers.isEmpty()) {
            return Type.UNKNOWN; // invoked, never answered (the driver died)
        }
        if (answers.stream().anyMatch(a -> a.type() == Type.OK)) {
            return Type.OK;
        }
        HistoryEvent last = answers.get(answers.size() - 1);
        if (last.type() == Type.FAIL && isDefinite(last.error())) {
            return Type.FAIL;
        }
        boolean allStale = answers.stream().allMatch(a -> a.type() == Type.FAIL && "STALE".equals(a.error()));
        return allStale ? Type.FAIL : Type.UNKNOWN;
    }

    private static boolean isDefinite(String error) {
        return error != null && !error.equals("STALE") && !error.equals("UNAVAILABLE") && !error.equals("UNKNOWN_ERROR");
    }

    String id() {
        return invoke.commandId();
    }

    String planet() {
        return invoke.planet();
    }

    String kind() {
        return invoke.kind();
    }

    boolean isWrite() {
        return invoke.isWrite();
    }

    /** e.g. {@code informant-1 UpdateNumber Chaos_1/c3 = 7 (informant-1-17, acknowledged)}. */
    String describe() {
        StringBuilder sb = new StringBuilder(invoke.session()).append(' ').append(kind()).append(' ')
                .append(planet()).append('/').append(invoke.city());
        if (invoke.newName() != null) {
            sb.append(" -> ").append(invoke.newName());
        }
        if (invoke.value() != null) {
            sb.append(" = ").append(invoke.value());
        }
        String outcomeText = switch (outcome) {
            case OK -> "acknowledged";
            case FAIL -> "failed";
            default -> "outcome unknown";
        };
        return sb.append(" (").append(id()).append(", ").append(outcomeText).append(')').toString();
    }
}
