package fulcrum.store;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB options of every store, and the native objects behind them (closed together).
 *
 * <p>Memory is bounded explicitly rather than left to RocksDB's defaults, so that a worker with a
 * million cities keeps a modest RSS beside its 256 MiB heap: one LRU block cache
 * ({@link #BLOCK_CACHE_BYTES}) for data blocks, at most {@link #MAX_WRITE_BUFFERS} memtables of
 * {@link #WRITE_BUFFER_BYTES}, and {@link #MAX_OPEN_FILES} table readers. Whole-key bloom filters
 * make the common point lookups that miss (a command id never seen, a city that does not exist)
 * cost no disk read. The index and filter blocks stay with their table readers, outside the block
 * cache: kept in the cache, the filters of a store of a million cities (several MiB) were evicted
 * by data blocks and read again on almost every lookup, which made a write cost a millisecond.
 * They take about 10 bits per key (some 10 MiB at a million cities). The memtables have whole-key
 * bloom filters too ({@link #MEMTABLE_BLOOM_RATIO} of their size): a merge looks up several keys
 * per entry that do not exist yet (the new city, its name, its command record), and without a
 * filter each such miss searched every memtable. The WAL is capped so that a restart replays
 * little of it.
 *
 * <p>The first level below L0 is at most {@link #LEVEL_BASE_BYTES} (RocksDB's default is 256 MiB).
 * A store of a million cities is a few hundred MiB, and with the default its L0 files were
 * compacted straight into the last level, which holds nearly all of it: every 64 MiB flushed
 * rewrote most of the store. In a merge of 1,000,000 operations the compaction threads took 13 to
 * 15 s of CPU per worker (a quarter of the machine); with a 64 MiB base level, 7 to 10 s.
 *
 * <p>The memtables are {@link #WRITE_BUFFER_BYTES} = 32 MiB: with store format 3's binary values a
 * 1,000,000-operation merge spent 4.3–5.1 s of each worker's CPU in RocksDB's background threads with
 * 16 MiB memtables and 2.7–3.3 s with 32 MiB, and converged in 28.6–29.2 s against 24.3–26.1 s
 * (paired runs); 64 MiB cut the background threads to 2.0–2.2 s but not the merge (24.2 s), for
 * about 50 MiB more RSS per worker. After a kill -9 during heavy writes the WAL held at most 33 MiB, and
 * an open replayed it and served a read in 0.13–0.32 s.
 */
final class Tuning implements AutoCloseable {
    static final long BLOCK_CACHE_BYTES = 32L << 20;
    static final long WRITE_BUFFER_BYTES = 32L << 20;
    static final int MAX_WRITE_BUFFERS = 2;
    static final long LEVEL_BASE_BYTES = 64L << 20;
    static final long MAX_WAL_BYTES = 64L << 20;
    static final int MAX_OPEN_FILES = 256;
    private static final double BLOOM_BITS_PER_KEY = 10;
    /** Of each memtable's size, for its bloom filter (1.6 MiB of 32 MiB). */
    static final double MEMTABLE_BLOOM_RATIO = 0.05;

    static {
        NativeLibrary.load();
    }

    private final LRUCache cache = new LRUCache(BLOCK_CACHE_BYTES);
    private final BloomFilter bloom = new BloomFilter(BLOOM_BITS_PER_KEY);
    private final Options options;
    private final WriteOptions syncWrite = new WriteOptions().setSync(true);
    private final WriteOptions plainWrite = new WriteOptions();

    Tuning(boolean createIfMissing) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setWholeKeyFiltering(true)
                .setCacheIndexAndFilterBlocks(false)
                .setOptimizeFiltersForMemory(true);
        options = new Options()
                .setCreateIfMissing(createIfMissing)
                .setTableFormatConfig(table)
                .setWriteBufferSize(WRITE_BUFFER_BYTES)
                .setMaxWriteBufferNumber(MAX_WRITE_BUFFERS)
                .setMaxBytesForLevelBase(LEVEL_BASE_BYTES)
                .setMemtableWholeKeyFiltering(true)
                .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO)
                .setMaxTotalWalSize(MAX_WAL_BYTES)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setMaxBackgroundJobs(2)
                .setMaxOpenFiles(MAX_OPEN_FILES)
                .setKeepLogFileNum(3)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
    }

    Options options() {
        return options;
    }

    /** For commits: on disk when the write returns. */
    WriteOptions syncWrite() {
        return syncWrite;
    }

    /** For the bulk of a migration, made durable by its final synced batch (the WAL is in order). */
    WriteOptions plainWrite() {
        return plainWrite;
    }

    @Override
    public void close() {
        plainWrite.close();
        syncWrite.close();
        options.close();
        bloom.close();
        cache.close();
    }
}
