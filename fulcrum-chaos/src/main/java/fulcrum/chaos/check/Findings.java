package fulcrum.chaos.check;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the checker found, by category. A finding has a key (a command id, a planet's clock entry, a
 * history index…), so the same fault seen at three replicas counts once; each new finding adds a
 * problem line that starts with its category's label.
 */
final class Findings {
    static final int MAX_PROBLEMS = 100;

    enum Category {
        LOST("lost"),
        DOUBLED("doubled"),
        MULTI_ORIGIN("applied at >1 replica"),
        UNEXPECTED("unexpected"),
        SESSION("session"),
        READ("read");

        final String label;

        Category(String label) {
            this.label = label;
        }
    }

    private final Map<Category, Set<String>> keys = new EnumMap<>(Category.class);
    private final List<String> problems = new ArrayList<>();
    private long dropped;

    Findings() {
        for (Category c : Category.values()) {
            keys.put(c, new LinkedHashSet<>());
        }
    }

    /** Records a finding; a key already found in that category adds nothing. */
    void add(Category category, String key, String problem) {
        if (keys.get(category).add(key)) {
            note(category.label + ": " + problem);
        }
    }

    /** A problem line that belongs to no category (convergence, dead letters). */
    void note(String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        } else {
            dropped++;
        }
    }

    long count(Category category) {
        return keys.get(category).size();
    }

    List<String> problems() {
        List<String> out = new ArrayList<>(problems);
        if (dropped > 0) {
            out.add("(" + dropped + " more problems not listed)");
        }
        return out;
    }
}
