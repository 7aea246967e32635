package fulcrum.common.cli;

import fulcrum.common.client.FulcrumClient;
import fulcrum.common.client.SessionFile;
import fulcrum.common.client.UnavailableException;
import fulcrum.common.wire.ReplyCodec;
import fulcrum.core.domain.Command;
import fulcrum.core.domain.CommandKind;
import fulcrum.core.domain.ErrorCode;
import fulcrum.core.domain.InvalidCommandException;
import fulcrum.core.replica.Reply;
import fulcrum.core.session.SessionState;
import fulcrum.core.session.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the informant and Leia CLIs share: parse one command, validate it before anything is sent,
 * send it through Mos Eisley, print the reply (text or one JSON object), map it to an exit code.
 */
public abstract class ClientCli implements Callable<Integer> {
    private static final Pattern SESSION_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    private String brokerUri;

    @Option(names = "--name", description = "Session name: its session file and its broker connection name (default: ${DEFAULT-VALUE}).")
    String name = System.getProperty("user.name", "client");

    @Option(names = "--session-file", paramLabel = "FILE",
            description = "Session file (default: $FULCRUM_SESSION_DIR/NAME.json, else ~/.fulcrum/sessions/NAME.json).")
    Path sessionFile;

    @Option(names = "--no-session", description = "Keep no session: no read-your-writes or monotonic-reads guarantee.")
    boolean noSession;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout.")
    boolean json;

    @Option(names = "--timeout", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long to wait for the broker and the reply (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofSeconds(10);

    @Option(names = "--command-id", paramLabel = "ID",
            description = "Message id of the command (default: a new UUID). Re-sending an id returns the first reply;"
                    + " a write whose outcome was unknown is re-sent with the session clock of its first send.")
    String commandId;

    // Optional for picocli so that a subclass may take its commands from elsewhere (the informant's --file).
    @Parameters(index = "0", arity = "0..1", paramLabel = "COMMAND", description = "${COMMAND-NAME} command name")
    String commandName;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARG")
    List<String> arguments = List.of();

    /** The commands this CLI may send. */
    protected abstract Set<CommandKind> allowedCommands();

    protected abstract String role();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (commandName == null) {
            return fail(out, err, ErrorCode.INVALID_ARGUMENT, "missing COMMAND (see " + spec.name() + " --help)",
                    ExitCodes.INVALID_INPUT);
        }
        Command command;
        try {
            command = Command.fromArguments(commandName, arguments);
        } catch (InvalidCommandException e) {
            return fail(out, err, e.code(), e.getMessage(), ExitCodes.INVALID_INPUT);
        }
        if (!allowedCommands().contains(command.kind())) {
            return fail(out, err, ErrorCode.INVALID_ARGUMENT,
                    role() + " does not send " + command.kind() + " (it sends " + allowedCommands() + ")",
                    ExitCodes.INVALID_INPUT);
        }
        if (commandId != null && commandId.isBlank()) {
            return fail(out, err, ErrorCode.INVALID_ARGUMENT, "--command-id must not be blank", ExitCodes.INVALID_INPUT);
        }
        String badName = sessionNameProblem();
        if (badName != null) {
            return fail(out, err, ErrorCode.INVALID_ARGUMENT, badName, ExitCodes.INVALID_INPUT);
        }
        String id = commandId != null ? commandId : UUID.randomUUID().toString();
        Reply reply;
        try {
            resolveBroker(err);
        } catch (IllegalArgumentException e) {
            return fail(out, err, ErrorCode.INVALID_ARGUMENT, e.getMessage(), ExitCodes.INVALID_INPUT);
        }
        try (SessionFile session = noSession ? null : SessionFile.open(sessionPath())) {
            SessionState state = session == null ? SessionState.empty() : session.load();
            LinkedHashMap<String, SessionFile.PendingSend> pending =
                    session == null ? new LinkedHashMap<>() : session.loadPending();
            SessionFile.PendingSend firstSend = pending.get(id);
            if (firstSend != null && !firstSend.planet().equals(command.planet())) {
                return fail(out, err, ErrorCode.INVALID_ARGUMENT, "command id " + id + " was first sent for planet "
                        + firstSend.planet() + "; a re-send must be the same command", ExitCodes.INVALID_INPUT);
            }
            // A re-send of a write with an unknown outcome carries its first envelope (see SessionFile).
            SessionFile.PendingSend send = firstSend != null ? firstSend
                    : SessionFile.PendingSend.of(command.planet(), state);
            boolean keepsPending = session != null && command.kind().isWrite();
            if (keepsPending && firstSend == null) {
                // Durably before the first send: a run killed while it waits leaves it for the re-send.
                pending.put(id, send);
                session.savePending(pending);
            }
            // No answer (UnavailableException) leaves the entry pending.
            try (FulcrumClient client = connectClient()) {
                reply = client.call(id, command, send.required(), send.lastReplica());
            }
            if (keepsPending && reply.errorCode() != ErrorCode.UNAVAILABLE) {
                // Settled (applied, rejected, or refused for good); an UNAVAILABLE answer (a router
                // overloaded or that lost the reply, on the query or legacy path) leaves the
                // outcome unknown, so it stays.
                pending.remove(id);
                session.savePending(pending);
            }
            // The replica checked the session's clock; check its answer again before believing it
            // (against the clock the command was sent with: a re-sent write's stored answer may be
            // older than what the session has seen since, and is still the truth about that write).
            Verdict verdict = send.sessionAtSend().check(reply);
            if (!verdict.accepted()) {
                reply = Reply.failure(reply.command(), reply.planet(), reply.city(), reply.replica(), reply.clock(),
                        verdict.code(), verdict.reason());
            } else if (session != null) {
                session.save(state.observe(reply));
            }
        } catch (UnavailableException e) {
            return fail(out, err, ErrorCode.UNAVAILABLE, e.getMessage(), ExitCodes.UNAVAILABLE);
        } catch (IOException e) {
            return fail(out, err, ErrorCode.INVALID_ARGUMENT, "session: " + e.getMessage(), ExitCodes.INVALID_INPUT);
        } catch (IllegalArgumentException e) {
            return fail(out, err, ErrorCode.INVALID_ARGUMENT, e.getMessage(), ExitCodes.INVALID_INPUT);
        }
        if (json) {
            out.println(ReplyCodec.toLine(reply));
        } else if (reply.ok()) {
            out.println(describe(reply));
        } else {
            err.println("error: " + reply.errorCode() + ": " + reply.errorMessage());
        }
        out.flush();
        return reply.ok() ? ExitCodes.OK : ExitCodes.of(reply.errorCode());
    }

    /** Why {@code --name} is not a valid session name, or null when it is. */
    protected final String sessionNameProblem() {
        return SESSION_NAME.matcher(name).matches() ? null
                : "--name must be 1..64 letters, digits, '.', '_' or '-', got '" + name + "'";
    }

    /** The session file of this run ({@code --session-file}, else the default one of {@code --name}). */
    protected final Path sessionPath() {
        return sessionFile != null ? sessionFile : SessionFile.defaultPath(name);
    }

    /** {@code --no-session}. */
    protected final boolean noSession() {
        return noSession;
    }

    protected final boolean jsonOutput() {
        return json;
    }

    protected final Duration timeout() {
        return timeout;
    }

    /** Whether a command name or arguments were given on the command line. */
    protected final boolean hasCommandArguments() {
        return commandName != null;
    }

    /** {@code --command-id}, or null. */
    protected final String commandIdOption() {
        return commandId;
    }

    /**
     * Resolves the broker URI and password once, before anything is sent (warnings go to {@code err}).
     *
     * @throws IllegalArgumentException when the URI or the password source is unusable
     */
    protected final void resolveBroker(PrintWriter err) {
        if (brokerUri == null) {
            brokerUri = broker.resolve(err);
        }
    }

    /** Connects to the broker as this CLI and session name; {@link #resolveBroker} must have run. */
    protected final FulcrumClient connectClient() throws UnavailableException {
        if (brokerUri == null) {
            throw new IllegalStateException("the broker URI was not resolved");
        }
        return FulcrumClient.connect(brokerUri, role() + "-" + name, timeout);
    }

    protected final CommandSpec commandSpec() {
        return spec;
    }

    private String describe(Reply reply) {
        String where = " (replica " + reply.replica() + ", clock " + reply.clock() + ")";
        if (reply.command() == CommandKind.GetNumberRebelds) {
            return reply.planet() + " " + reply.city() + " " + reply.rebels() + where;
        }
        return "OK " + reply.command() + " " + reply.planet() + " " + reply.city() + where;
    }

    private int fail(PrintWriter out, PrintWriter err, ErrorCode code, String message, int exitCode) {
        if (json) {
            out.println(ReplyCodec.toLine(Reply.failure(null, null, null, null, null, code, message)));
            out.flush();
        } else {
            err.println("error: " + message);
            err.flush();
        }
        return exitCode;
    }
}
