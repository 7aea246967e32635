package fulcrum.chaos.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a history in memory and, when given a file, as JSON lines (one {@link HistoryEvent} per
 * line, flushed per event so that a killed driver leaves a readable prefix). Thread-safe: the
 * sessions of a run share one recorder, and the index is the order of recording.
 */
public final class HistoryRecorder implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private final List<HistoryEvent> events = new ArrayList<>();
    private final BufferedWriter out;
    private final long startNanos = System.nanoTime();

    public HistoryRecorder(Path file) {
        try {
            this.out = file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HistoryRecorder inMemory() {
        return new HistoryRecorder(null);
    }

    public synchronized HistoryEvent record(HistoryEvent event) {
        HistoryEvent e = event.at(events.size(), System.nanoTime() - startNanos);
        events.add(e);
        if (out != null) {
            try {
                out.write(JSON.writeValueAsString(e));
                out.write('\n');
                out.flush();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return e;
    }

    public synchronized List<HistoryEvent> events() {
        return List.copyOf(events);
    }

    /** Reads a history file written by a recorder. */
    public static List<HistoryEvent> read(Path file) {
        try {
            List<HistoryEvent> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(JSON.readValue(line, HistoryEvent.class));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read history " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
