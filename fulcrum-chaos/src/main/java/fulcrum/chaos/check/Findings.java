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
 * problem line that starts with its category's label (at most {@value #MAX_PER_CATEGORY} lines per
 * category, so that one flood does not hide the others).
 */
final class Findings {
    static final int MAX_PER_CATEGORY = 25;

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
    private final Map<Category, List<String>> lines = new EnumMap<>(Category.class);
    private final List<String> notes = new ArrayList<>();
    private long dropped;

    Findings() {
        for (Category c : Category.values()) {
            keys.put(c, new LinkedHashSet<>());
            lines.put(c, new ArrayList<>());
        }
    }

    /** Records a finding; a key already found in that category adds nothing. */
    void add(Category category, String key, String problem) {
        if (keys.get(category).add(key)) {
            keep(lines.get(category), category.label + ": " + problem);
        }
    }

    /** A problem line that belongs to no category (convergence, dead letters). */
    void note(String problem) {
        keep(notes, problem);
    }

    private void keep(List<String> into, String line) {
        if (into.size() < MAX_PER_CATEGORY) {
            into.add(line);
        } else {
            dropped++;
        }
    }

    long count(Category category) {
        return keys.get(category).size();
    }

    /** The problem lines, category by category, then the notes. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        lines.values().forEach(out::addAll);
        out.addAll(notes);
        if (dropped > 0) {
            out.add("(" + dropped + " more problems not listed)");
        }
        return out;
    }
}
