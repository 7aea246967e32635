package fulcrum.common.client;

import com.fasterxml.jackson.core.type.TypeReference;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.clock.VectorClock;
import fulcrum.core.session.SessionState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A session kept between CLI runs: a JSON file of {@link SessionState#toData()}, one per session
 * name. While a CLI uses it, it holds an exclusive lock on {@code <file>.lock}, so two runs of one
 * session are serialised (a session is sequential by definition); the file is replaced atomically.
 *
 * <p>Beside it, {@code <file>.pending}: the writes of this session whose outcome is not known yet,
 * each with the envelope it was first sent with. An entry is written (and synced) before the
 * first send and removed once an answer settled the command, so a CLI killed while it waits
 * leaves it behind. A re-send of such a command id must carry that same envelope, not the
 * session's current one: the router's order for a write depends on the envelope's
 * {@code lastReplica}, and at most one application across replicas holds only while every attempt
 * walks the same order ({@code WriteRouting}).
 *
 * <p>Both files are replaced atomically and durably: written to a temporary file, synced, renamed
 * over the old one, and the directory synced.
 */
public final class SessionFile implements AutoCloseable {
    /** Overrides the directory of the default session files. */
    public static final String DIRECTORY_VARIABLE = "FULCRUM_SESSION_DIR";
    private static final TypeReference<TreeMap<String, SessionState.Entry>> DATA = new TypeReference<>() {
    };

    /** Bound of the pending table; beyond it the oldest entry is forgotten. */
    public static final int MAX_PENDING = 1000;
    private static final TypeReference<LinkedHashMap<String, PendingSend>> PENDING = new TypeReference<>() {
    };

    /** A write sent with no answer yet: the envelope of its first send. */
    public record PendingSend(String planet, SortedMap<String, Long> requiredClock, String lastReplica) {
        public PendingSend {
            Objects.requireNonNull(planet, "planet");
            requiredClock = requiredClock == null ? new TreeMap<>() : new TreeMap<>(requiredClock);
        }

        /** The envelope a first send to {@code planet} carries, from the session as it stands. */
        public static PendingSend of(String planet, SessionState session) {
            return new PendingSend(planet, session.requiredClock(planet).asMap(), session.lastReplica(planet).orElse(null));
        }

        /** The required clock to send again: null when the first send had none. */
        public VectorClock required() {
            return requiredClock.isEmpty() ? null : VectorClock.of(requiredClock);
        }

        /** The session as it stood on this planet at the first send: what the answer is checked against. */
        public SessionState sessionAtSend() {
            return requiredClock.isEmpty() ? SessionState.empty()
                    : SessionState.fromData(Map.of(planet, new SessionState.Entry(requiredClock, lastReplica)));
        }
    }

    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private SessionFile(Path file, FileChannel lockChannel, FileLock lock) {
        this.file = file;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** {@code $FULCRUM_SESSION_DIR/<name>.json}, by default {@code ~/.fulcrum/sessions/<name>.json}. */
    public static Path defaultPath(String sessionName) {
        String dir = System.getenv(DIRECTORY_VARIABLE);
        Path base = dir != null && !dir.isBlank() ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".fulcrum", "sessions");
        return base.resolve(sessionName + ".json");
    }

    /** Opens (and locks) the session file; a missing file is an empty session. */
    public static SessionFile open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        FileChannel channel = FileChannel.open(parent.resolve(file.getFileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            return new SessionFile(file, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public SessionState load() throws IOException {
        if (!Files.exists(file)) {
            return SessionState.empty();
        }
        try {
            Map<String, SessionState.Entry> data = FulcrumJson.MAPPER.readValue(file.toFile(), DATA);
            return SessionState.fromData(data);
        } catch (IOException | RuntimeException e) {
            throw new IOException("session file " + file + " is unreadable (" + e.getMessage()
                    + "); delete it to start a new session", e);
        }
    }

    public void save(SessionState session) throws IOException {
        replace(file, FulcrumJson.write(session.toData()));
    }

    /** The pending writes, oldest first; empty when there is no pending file. */
    public LinkedHashMap<String, PendingSend> loadPending() throws IOException {
        Path pending = pendingPath();
        if (!Files.exists(pending)) {
            return new LinkedHashMap<>();
        }
        try {
            return FulcrumJson.MAPPER.readValue(pending.toFile(), PENDING);
        } catch (IOException | RuntimeException e) {
            throw new IOException("pending file " + pending + " is unreadable (" + e.getMessage()
                    + "); delete it to forget the pending commands", e);
        }
    }

    /**
     * Replaces the pending table, keeping only its newest {@link #MAX_PENDING} entries; an empty
     * table removes the file. Durable when it returns.
     */
    public void savePending(LinkedHashMap<String, PendingSend> pending) throws IOException {
        Iterator<String> oldest = pending.keySet().iterator();
        while (pending.size() > MAX_PENDING) {
            oldest.next();
            oldest.remove();
        }
        if (pending.isEmpty()) {
            if (Files.deleteIfExists(pendingPath())) {
                syncDirectory(pendingPath());
            }
        } else {
            replace(pendingPath(), FulcrumJson.write(pending));
        }
    }

    private Path pendingPath() {
        return file.resolveSibling(file.getFileName() + ".pending");
    }

    private static void replace(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target);
    }

    /** Makes a rename or delete in {@code file}'s directory durable (the entry lives in the directory). */
    private static void syncDirectory(Path file) throws IOException {
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; the rename itself is still atomic there.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
