package fulcrum.informant.bulk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import fulcrum.common.cli.ExitCodes;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.replica.Reply;
import fulcrum.informant.bulk.LineResult.Outcome;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a bulk run prints: a line per bad input line and per command, as each settles (completion
 * order; each line names its input line), the progress bar, and the summary with the exit code.
 *
 * <p>Text: results on standard output, bad lines, the summary and the bar on standard error.
 * {@code --json}: standard output holds only JSON lines, one per bad line and per command
 * ({@code line}, {@code text}, {@code outcome}, and {@code commandId}, {@code reply} or
 * {@code problem} or {@code error}), then one {@code {"summary":…}} line. Thread-safe.
 */
public final class BulkReport {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final TerminalProgress progress;
    private long startNanos = System.nanoTime();
    private int done;
    private int ok;
    private int unknown;
    private int badLines;
    private final Map<String, Integer> rejectedByCode = new TreeMap<>();

    /** @param progress the bar, or null for none */
    BulkReport(PrintWriter out, PrintWriter err, boolean json, TerminalProgress progress) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.progress = progress;
    }

    public synchronized void badLine(BadLine bad, boolean skipped) {
        badLines++;
        if (json) {
            ObjectNode node = FulcrumJson.MAPPER.createObjectNode();
            node.put("line", bad.lineNumber());
            node.put("text", bad.text());
            node.put("outcome", "invalid");
            ObjectNode error = node.putObject("error");
            error.put("code", bad.code().name());
            error.put("message", bad.message());
            out.println(FulcrumJson.writeString(node));
            out.flush();
        } else {
            err.println("line " + bad.lineNumber() + ": error: " + bad.message() + (skipped ? " (skipped)" : ""));
            err.flush();
        }
    }

    /** The clock of the summary's elapsed time and rate starts here: connected, about to send. */
    public synchronized void sendingStarts() {
        startNanos = System.nanoTime();
        if (progress != null) {
            progress.sendingStarts();
        }
    }

    public synchronized void result(LineResult result) {
        done++;
        switch (result.outcome()) {
            case OK -> ok++;
            case REJECTED -> rejectedByCode.merge(result.reply().errorCode().name(), 1, Integer::sum);
            case UNKNOWN -> unknown++;
        }
        Runnable print = () -> {
            out.println(json ? jsonLine(result) : textLine(result));
            out.flush();
        };
        if (progress == null) {
            print.run();
        } else {
            progress.printAbove(print, done);
        }
    }

    /** Prints the summary and returns the run's exit code: 3 if any unknown, else 1 if any rejected or bad line, else 0. */
    public synchronized int summary() {
        if (progress != null) {
            progress.finish();
        }
        int rejected = rejectedByCode.values().stream().mapToInt(Integer::intValue).sum();
        int exitCode = unknown > 0 ? ExitCodes.UNAVAILABLE
                : rejected > 0 || badLines > 0 ? ExitCodes.REJECTED : ExitCodes.OK;
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        double perSecond = done / Math.max(elapsed.toNanos() / 1e9, 1e-3);
        if (json) {
            ObjectNode summary = FulcrumJson.MAPPER.createObjectNode();
            ObjectNode body = summary.putObject("summary");
            body.put("commands", done);
            body.put("ok", ok);
            body.put("rejected", rejected);
            ObjectNode byCode = body.putObject("rejectedByCode");
            rejectedByCode.forEach(byCode::put);
            body.put("unknown", unknown);
            body.put("badLines", badLines);
            body.put("elapsedMillis", elapsed.toMillis());
            body.put("commandsPerSecond", Math.round(perSecond * 10) / 10.0);
            body.put("exitCode", exitCode);
            out.println(FulcrumJson.writeString(summary));
            out.flush();
        } else {
            StringBuilder line = new StringBuilder("summary: ").append(done).append(" commands: ")
                    .append(ok).append(" ok, ").append(rejected).append(" rejected");
            if (!rejectedByCode.isEmpty()) {
                line.append(" (").append(String.join(", ", rejectedByCode.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).toList())).append(')');
            }
            line.append(", ").append(unknown).append(" unknown; ").append(badLines).append(" bad line(s) skipped; ")
                    .append(String.format(java.util.Locale.ROOT, "%.1fs, %.1f commands/s", elapsed.toMillis() / 1000.0, perSecond));
            err.println(line);
            err.flush();
        }
        return exitCode;
    }

    private static String textLine(LineResult result) {
        String prefix = "line " + result.line().lineNumber() + ": ";
        if (result.outcome() == Outcome.UNKNOWN) {
            return prefix + "UNKNOWN " + result.line().text().strip() + " (command id " + result.commandId() + "): "
                    + result.problem();
        }
        Reply reply = result.reply();
        if (reply.ok()) {
            return prefix + "OK " + reply.command() + " " + reply.planet() + " " + reply.city()
                    + (reply.command() == CommandKind.GetNumberRebelds ? " " + reply.rebels() : "")
                    + " (replica " + reply.replica() + ", clock " + reply.clock() + ")";
        }
        return prefix + "REJECTED " + result.line().text().strip() + ": " + reply.errorCode() + ": " + reply.errorMessage();
    }

    private static String jsonLine(LineResult result) {
        ObjectNode node = FulcrumJson.MAPPER.createObjectNode();
        node.put("line", result.line().lineNumber());
        node.put("text", result.line().text().strip());
        node.put("outcome", result.outcome().name().toLowerCase(java.util.Locale.ROOT));
        node.put("commandId", result.commandId());
        if (result.reply() != null) {
            node.set("reply", ReplyCodec.toJson(result.reply()));
        } else {
            node.put("problem", result.problem());
        }
        return FulcrumJson.writeString(node);
    }
}
