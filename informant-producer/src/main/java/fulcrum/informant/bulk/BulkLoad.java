package fulcrum.informant.bulk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import fulcrum.common.cli.ExitCodes;
import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.SessionFile;
import fulcrum.common.client.UnavailableException;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.session.SessionState;
import fulcrum.informant.bulk.LineResult.Outcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * {@code informant --file FILE}: reads the whole input (a file, or standard input for {@code -}),
 * checks every line, then sends the commands over one connection with many in flight
 * ({@link BulkRun}), prints a result per command and a summary ({@link BulkReport}), and keeps the
 * session file as the single-command path does: the run starts from the session's state, every
 * command carries its requirements, and the state the run reached is saved once at its end; the
 * writes whose outcome stayed unknown are then added to the pending table with the envelope they
 * were sent with, so that {@code informant --command-id ID …} re-sends one safely.
 */
public final class BulkLoad {
    /** What a bulk run needs from the command line. */
    public record Settings(String source, boolean strict, int inFlight, boolean json, boolean progress,
                           Path sessionFile) {
    }

    /** Opens the run's broker connection (the CLI's own, with its options). */
    @FunctionalInterface
    public interface Connector {
        FulcrumClient connect() throws UnavailableException;
    }

    private final Settings settings;
    private final Set<CommandKind> allowed;
    private final String role;
    private final PrintWriter out;
    private final PrintWriter err;

    public BulkLoad(Settings settings, Set<CommandKind> allowed, String role, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.allowed = allowed;
        this.role = role;
        this.out = out;
        this.err = err;
    }

    /** Runs the load and returns the exit code. */
    public int run(InputStream standardInput, Connector connector) {
        List<String> lines;
        try {
            lines = read(settings.source(), standardInput);
        } catch (IOException e) {
            return fail("cannot read " + describeSource() + ": " + e.getMessage(), ExitCodes.INVALID_INPUT);
        }
        BulkInputParser.Parsed parsed = new BulkInputParser(allowed, role).parse(lines);
        boolean showProgress = settings.progress() && TerminalProgress.standardErrorIsTerminal();
        BulkReport report = new BulkReport(out, err, settings.json(), showProgress
                ? new TerminalProgress(err, parsed.commands().size(), TerminalProgress.standardOutputIsTerminal())
                : null);
        if (settings.strict() && !parsed.badLines().isEmpty()) {
            parsed.badLines().forEach(bad -> report.badLine(bad, false));
            return fail(parsed.badLines().size() + " bad line(s) in " + describeSource()
                    + "; nothing was sent (--strict)", ExitCodes.INVALID_INPUT);
        }
        try (SessionFile session = settings.sessionFile() == null ? null : SessionFile.open(settings.sessionFile())) {
            SessionState start = session == null ? SessionState.empty() : session.load();
            LinkedHashMap<String, SessionFile.PendingSend> pending =
                    session == null ? new LinkedHashMap<>() : session.loadPending();
            parsed.badLines().forEach(bad -> report.badLine(bad, true));
            List<LineResult> results;
            BulkRun run;
            try (FulcrumClient client = connector.connect()) {
                report.sendingStarts();
                run = new BulkRun(client, start, settings.inFlight(), report::result);
                results = run.run(parsed.commands());
            }
            if (session != null) {
                session.save(run.session());
                List<LineResult> unknown = new ArrayList<>();
                results.stream().filter(r -> r.outcome() == Outcome.UNKNOWN).forEach(unknown::add);
                if (!unknown.isEmpty()) {
                    unknown.forEach(r -> pending.put(r.commandId(), r.envelope()));
                    session.savePending(pending);
                }
            }
            return report.summary();
        } catch (UnavailableException e) {
            return fail(e.getMessage(), ExitCodes.UNAVAILABLE);
        } catch (IOException e) {
            return fail("session: " + e.getMessage(), ExitCodes.INVALID_INPUT);
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage(), ExitCodes.INVALID_INPUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted; the commands in flight have an unknown outcome", ExitCodes.UNAVAILABLE);
        }
    }

    private static List<String> read(String source, InputStream standardInput) throws IOException {
        // Strict decoding: a binary or mis-encoded file is refused, not read as replacement characters.
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        try (InputStream in = "-".equals(source) ? standardInput : Files.newInputStream(Path.of(source));
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, decoder))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        } catch (NoSuchFileException e) {
            throw new IOException("no such file", e);
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text", e);
        }
        return lines;
    }

    private String describeSource() {
        return "-".equals(settings.source()) ? "standard input" : settings.source();
    }

    private int fail(String message, int exitCode) {
        if (settings.json()) {
            ObjectNode node = FulcrumJson.MAPPER.createObjectNode();
            node.put("ok", false);
            ObjectNode error = node.putObject("error");
            error.put("code", exitCode == ExitCodes.UNAVAILABLE ? "UNAVAILABLE" : "INVALID_ARGUMENT");
            error.put("message", message);
            out.println(FulcrumJson.writeString(node));
            out.flush();
        } else {
            err.println("error: " + message);
            err.flush();
        }
        return exitCode;
    }
}
