package fulcrum.store;

import fulcrum.core.store.CityEntry;
import fulcrum.core.store.CommandRecord;
import fulcrum.core.store.PlanetClock;
import fulcrum.core.store.SnapshotPage;
import fulcrum.core.store.SnapshotView;
import fulcrum.core.store.StoreMeta;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.Snapshot;

/**
 * A {@link SnapshotView} on a RocksDB snapshot: every page reads at the same sequence number, so
 * the view stays the same while commits go on, and holds no iterator between pages. Items come in
 * three sections, each in key order: planet clocks, cities, command records.
 *
 * <p>A cursor is the snapshot's sequence number and the last key returned, URL-safe base64 (it
 * travels in messages); a page resumes right after that key. A cursor that does not decode, was
 * made by another snapshot, or names a key outside the three sections is refused.
 */
final class SnapshotPaging implements SnapshotView {
    private static final List<byte[]> SECTIONS = List.of(Keys.CLOCK, Keys.CITY, Keys.COMMAND);

    private final RocksDB db;
    private final Snapshot snapshot;
    private final ReadOptions read;
    private final Guard storeGuard;
    private final Guard guard;
    private final Reads reads;
    private final StoreMeta meta;
    private final long sequence;
    private final Consumer<SnapshotPaging> onClose;

    /** Call under {@code storeGuard}. */
    SnapshotPaging(RocksDB db, Guard storeGuard, Path dir, Consumer<SnapshotPaging> onClose) {
        this.db = db;
        this.storeGuard = storeGuard;
        this.onClose = onClose;
        this.snapshot = db.getSnapshot();
        this.read = new ReadOptions().setSnapshot(snapshot);
        this.sequence = snapshot.getSequenceNumber();
        this.guard = new Guard("snapshot of " + dir, storeGuard);
        this.reads = new Reads(db, read, guard, dir);
        try {
            this.meta = MetaReader.read(reads);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    @Override
    public StoreMeta meta() {
        return meta;
    }

    @Override
    public SnapshotPage page(String cursor, int maxItems) {
        if (maxItems < 1) {
            throw new IllegalArgumentException("a page holds at least one item, asked for " + maxItems);
        }
        int section = 0;
        byte[] from = SECTIONS.get(0);
        if (cursor != null) {
            byte[] key = decode(cursor);
            section = sectionOf(key);
            if (section < 0) {
                throw new IllegalArgumentException("not a cursor of this snapshot: " + cursor);
            }
            from = Keys.successor(key);
        }
        List<PlanetClock> clocks = new ArrayList<>();
        List<CityEntry> cities = new ArrayList<>();
        List<CommandRecord> commands = new ArrayList<>();
        byte[][] last = {null};
        boolean[] more = {false};
        for (int s = section; s < SECTIONS.size() && !more[0]; s++) {
            byte[] prefix = SECTIONS.get(s);
            int current = s;
            int[] count = {clocks.size() + cities.size() + commands.size()};
            reads.scan(prefix, s == section ? from : prefix, (k, v) -> {
                if (count[0] == maxItems) {
                    more[0] = true;
                    return false;
                }
                switch (current) {
                    case 0 -> clocks.add(new PlanetClock(reads.clockKeyPlanet(k), reads.clock(k, v)));
                    case 1 -> cities.add(new CityEntry(Reads.cityKeyPlanet(k), reads.city(k, v)));
                    default -> commands.addAll(reads.records(k, v));
                }
                count[0]++;
                last[0] = k;
                return true;
            });
        }
        return new SnapshotPage(clocks, cities, commands, more[0] ? encode(last[0]) : null);
    }

    @Override
    public void close() {
        // after the store's close the snapshot was released with it
        storeGuard.runIfOpen(() -> guard.close(this::release));
        onClose.accept(this);
    }

    /** The store's close: the database is still open, no page is in flight. */
    void closeWithStore() {
        guard.close(this::release);
    }

    private void release() {
        db.releaseSnapshot(snapshot);
        read.close();
    }

    private int sectionOf(byte[] key) {
        for (int i = 0; i < SECTIONS.size(); i++) {
            if (Keys.startsWith(key, SECTIONS.get(i)) && key.length > SECTIONS.get(i).length) {
                return i;
            }
        }
        return -1;
    }

    private String encode(byte[] key) {
        ByteBuffer out = ByteBuffer.allocate(Long.BYTES + key.length).putLong(sequence).put(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    }

    private byte[] decode(String cursor) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a cursor of this snapshot: " + cursor, e);
        }
        if (raw.length <= Long.BYTES || ByteBuffer.wrap(raw).getLong() != sequence) {
            throw new IllegalArgumentException("not a cursor of this snapshot: " + cursor);
        }
        return Arrays.copyOfRange(raw, Long.BYTES, raw.length);
    }
}
