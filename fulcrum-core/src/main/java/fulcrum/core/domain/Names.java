package fulcrum.core.domain;

/** The naming rule for planets and cities: case-sensitive, 1..64 characters, no white space. */
public final class Names {
    public static final int MAX_LENGTH_CHARS = 64;

    private Names() {
    }

    /** Returns null when {@code name} is valid, else a one-line reason naming the {@code field}. */
    public static String problem(String field, String name) {
        if (name == null || name.isEmpty()) {
            return field + " must not be empty";
        }
        if (name.codePointCount(0, name.length()) > MAX_LENGTH_CHARS) {
            return field + " must be at most " + MAX_LENGTH_CHARS + " characters, got "
                    + name.codePointCount(0, name.length());
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
                return field + " must not contain white space or control characters: '" + name + "'";
            }
            i += Character.charCount(cp);
        }
        return null;
    }
}
