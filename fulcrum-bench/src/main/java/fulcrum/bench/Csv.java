package fulcrum.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** RFC 4180 CSV: a header and rows; numbers in the ROOT locale (a dot, no grouping). */
final class Csv {
    private Csv() {
    }

    static String render(List<String> header, List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder();
        line(sb, List.copyOf(header));
        for (List<Object> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("a row of " + row.size() + " cells under a header of " + header.size());
            }
            line(sb, row);
        }
        return sb.toString();
    }

    static void write(Path file, List<String> header, List<List<Object>> rows) throws IOException {
        Files.writeString(file, render(header, rows), StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder sb, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(cell(cells.get(i)));
        }
        sb.append("\r\n");
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.3f", d);
        }
        String text = value.toString();
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
