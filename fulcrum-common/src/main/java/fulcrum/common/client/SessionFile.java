package fulcrum.common.client;

import com.fasterxml.jackson.core.type.TypeReference;
import fulcrum.common.wire.FulcrumJson;
import fulcrum.core.session.SessionState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * A session kept between CLI runs: a JSON file of {@link SessionState#toData()}, one per session
 * name. While a CLI uses it, it holds an exclusive lock on {@code <file>.lock}, so two runs of one
 * session are serialised (a session is sequential by definition); the file is replaced atomically.
 */
public final class SessionFile implements AutoCloseable {
    /** Overrides the directory of the default session files. */
    public static final String DIRECTORY_VARIABLE = "FULCRUM_SESSION_DIR";
    private static final TypeReference<TreeMap<String, SessionState.Entry>> DATA = new TypeReference<>() {
    };

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
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, FulcrumJson.write(session.toData()));
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
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
