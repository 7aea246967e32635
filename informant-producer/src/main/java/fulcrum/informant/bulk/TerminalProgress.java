package fulcrum.informant.bulk;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-line progress bar redrawn in place on standard error ({@code \r}), for a person watching a
 * terminal; never drawn into a file or a pipe. Redrawn at most every {@value #REDRAW_MILLIS} ms, so a
 * fast run does not spend its time drawing. Lines printed while it shows are printed through
 * {@link #printAbove}, which clears the bar first, so result lines on the same terminal stay clean.
 */
final class TerminalProgress {
    private static final long REDRAW_MILLIS = 100;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final int total;
    private final boolean sharesTerminalWithOutput;
    private long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private boolean drawn;

    /** @param sharesTerminalWithOutput whether result lines go to the same terminal (then the bar steps aside for each) */
    TerminalProgress(PrintWriter err, int total, boolean sharesTerminalWithOutput) {
        this.err = err;
        this.total = total;
        this.sharesTerminalWithOutput = sharesTerminalWithOutput;
    }

    /**
     * Whether this process's standard error is a terminal. Java 17 cannot ask that of one stream;
     * on Linux the descriptor's link names the device, elsewhere a console means a terminal.
     */
    static boolean standardErrorIsTerminal() {
        return isTerminal(2);
    }

    static boolean standardOutputIsTerminal() {
        return isTerminal(1);
    }

    private static boolean isTerminal(int descriptor) {
        try {
            Path link = Path.of("/proc/self/fd/" + descriptor);
            if (Files.isSymbolicLink(link)) {
                String target = Files.readSymbolicLink(link).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // fall through to the portable guess
        }
        return System.console() != null;
    }

    void sendingStarts() {
        startNanos = System.nanoTime();
    }

    /** Redraws the bar for {@code done} settled commands, unless it was drawn very recently. */
    void update(int done) {
        long now = System.nanoTime();
        if (drawn && done < total && now - lastDrawNanos < REDRAW_MILLIS * 1_000_000) {
            return;
        }
        lastDrawNanos = now;
        drawn = true;
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        double seconds = Math.max((now - startNanos) / 1e9, 1e-3);
        err.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total
                + String.format(java.util.Locale.ROOT, " %3d%% %.0f/s", total == 0 ? 100 : 100L * done / total, done / seconds) + "\u001b[K");
        err.flush();
    }

    /** Runs {@code print} (which writes whole lines) with the bar cleared, then draws the bar again. */
    void printAbove(Runnable print, int done) {
        if (!sharesTerminalWithOutput) {
            print.run();
            update(done);
            return;
        }
        if (drawn) {
            err.print("\r\u001b[K");
            err.flush();
        }
        print.run();
        drawn = false;
        update(done);
    }

    /** Leaves the terminal on a fresh line. */
    void finish() {
        if (drawn) {
            err.print("\r\u001b[K");
            err.flush();
            drawn = false;
        }
    }
}
