package dev.pipit.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A top-k Hamming index over binary codes with external ids and payloads, durable through a
 * write-ahead log and snapshots. Thread-safe: one writer at a time, searches lock-free on an
 * immutable {@link View} published after every mutation, so a search never sees a torn state.
 *
 * <p>Results are ordered by (distance, insertion order); an upsert counts as a new insertion. Every
 * search path (scalar or SIMD kernel, threaded, batched, multi-index hashing) returns the same
 * list.
 *
 * <p>A mutation is applied in memory, and visible to searches, only once its log record is durable
 * under the {@link FsyncPolicy}; it is acknowledged (returns) then. After a crash, every
 * acknowledged mutation is recovered. A rejected call (exception) leaves the index unchanged, also
 * when the disk refused the write ({@link StorageFailureException}: the write is dropped and never
 * recovered later; see {@link #storageHealth}).
 *
 * <p>The payloads of the live entries share a budget ({@link IndexOptions#maxPayloadBytes}): a
 * write past it is refused ({@link PayloadBudgetExceededException}), replay at open never is.
 *
 * <p>Files in the directory: {@code wal-<seq>.log} ({@link WriteAheadLog}), {@code
 * snapshot-<seq>.bin} ({@link SnapshotFile}), {@code LOCK}. Opening = newest intact snapshot +
 * replay of the later log. Snapshots are written on demand ({@link #snapshot}) and in the
 * background by the {@link SnapshotPolicy}.
 *
 * <p>This class checks arguments and delegates: {@link WritePath} (log and apply), {@link
 * SearchDispatch} (searches and lookups), {@link Snapshotter} and {@link MaintenanceScheduler}
 * (background upkeep), {@link StatsAssembler}, {@link DirectoryLock} and {@link Recovery}.
 */
public final class HammingIndex implements AutoCloseable {

  /** Longest external id, in bytes of UTF-8. */
  public static final int MAX_ID_BYTES = 256;

  /** Largest payload in bytes. */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  /** Largest k for one search. */
  public static final int MAX_K = 100_000;

  /**
   * Called at the steps of a snapshot where a crash leaves a distinct state on disk (crash tests).
   */
  static volatile Consumer<String> crashPoint = point -> {};

  private final IndexOptions options;
  private final DirectoryLock lock; // null for an in-memory index
  private final WriteAheadLog wal; // null for an in-memory index
  private final WritePath writes;
  private final Snapshotter snapshotter; // null for an in-memory index
  private final MaintenanceScheduler maintenance;
  private final SearchDispatch searches;
  private final StatsAssembler stats;
  private final Instant opened = Instant.now();
  private final long recoveryNanos;
  private final long recordsReplayed;

  private HammingIndex(
      IndexOptions options,
      Path dir,
      DirectoryLock lock,
      Recovery.State state,
      WriteAheadLog wal,
      IndexListener listener,
      long recoveryNanos) {
    this.options = options;
    this.recoveryNanos = recoveryNanos;
    this.recordsReplayed = state.replayed();
    this.lock = lock;
    this.wal = wal;
    this.writes = new WritePath(state, wal, options.maxPayloadBytes());
    this.snapshotter =
        wal == null
            ? null
            : new Snapshotter(
                dir, options.modelFingerprint(), wal, writes, state.snapshotSeq(), listener);
    this.maintenance = new MaintenanceScheduler(writes, snapshotter, options.snapshots());
    this.searches = new SearchDispatch(options, writes, maintenance.executor(), listener);
    this.stats = new StatsAssembler(options, writes, searches, wal, snapshotter, state.tornBytes());
  }

  /**
   * Opens (or creates) the index in {@code dir}: loads the newest intact snapshot, replays the log
   * after it (truncating a torn tail, reported in {@link
   * IndexStats.Durability#tornBytesTruncated}), and starts a new log segment.
   *
   * @throws IndexMismatchException if the files were written for another code length or model
   * @throws CorruptIndexException if the files are damaged beyond a torn log tail
   * @throws IllegalStateException if another process holds the directory
   */
  public static HammingIndex open(Path dir, IndexOptions options) throws IOException {
    return open(dir, options, WriteAheadLog.SEGMENT_BYTES, IndexListener.NONE);
  }

  /** {@link #open(Path, IndexOptions)} telling {@code listener} of passes, fsyncs and snapshots. */
  public static HammingIndex open(Path dir, IndexOptions options, IndexListener listener)
      throws IOException {
    return open(dir, options, WriteAheadLog.SEGMENT_BYTES, listener);
  }

  /**
   * {@link #open(Path, IndexOptions)} with log segments rolled past {@code segmentBytes} (tests).
   */
  static HammingIndex open(Path dir, IndexOptions options, long segmentBytes) throws IOException {
    return open(dir, options, segmentBytes, IndexListener.NONE);
  }

  private static HammingIndex open(
      Path dir, IndexOptions options, long segmentBytes, IndexListener listener)
      throws IOException {
    long start = System.nanoTime();
    Files.createDirectories(dir);
    DirectoryLock lock = DirectoryLock.acquire(dir);
    try {
      Recovery.State state = Recovery.recover(dir, options);
      WriteAheadLog wal =
          WriteAheadLog.open(
              dir,
              options.bits(),
              options.modelFingerprint(),
              options.fsync(),
              state.lastSeq(),
              segmentBytes,
              listener);
      return new HammingIndex(options, dir, lock, state, wal, listener, System.nanoTime() - start);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** An index without files (nothing survives {@link #close}); for tests, benchmarks and caches. */
  public static HammingIndex inMemory(IndexOptions options) {
    return inMemory(options, IndexListener.NONE);
  }

  /** {@link #inMemory(IndexOptions)} telling {@code listener} of every search pass. */
  public static HammingIndex inMemory(IndexOptions options, IndexListener listener) {
    return new HammingIndex(
        options, null, null, Recovery.State.empty(options.bits()), null, listener, 0);
  }

  /**
   * An index without files whose entries start as those of a snapshot file written by {@link
   * #writeSnapshotTo}, mapped in place (copy-on-write: later writes never reach the file). For an
   * owner that keeps its own log of the writes after the snapshot (a cluster replica); nothing of
   * what follows survives {@link #close}.
   *
   * @throws CorruptIndexException if the file is damaged (no section's checksum is skipped)
   * @throws IndexMismatchException if it was written for another code length or model
   */
  public static HammingIndex inMemoryFromSnapshot(Path file, IndexOptions options)
      throws IOException {
    long start = System.nanoTime();
    SnapshotFile.Loaded loaded =
        SnapshotFile.load(file, options.bits(), options.modelFingerprint());
    Recovery.State state = new Recovery.State(loaded.generation(), loaded.seq(), 0, 0, 0);
    return new HammingIndex(
        options, null, null, state, null, IndexListener.NONE, System.nanoTime() - start);
  }

  /**
   * Writes the live entries of one consistent state, in insertion order, as a snapshot file in
   * {@code dir} (created if needed; written aside, fsynced and renamed) and returns the file.
   * Writes and searches go on meanwhile. The file is what {@link #open} and {@link
   * #inMemoryFromSnapshot} load.
   */
  public Path writeSnapshotTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    return SnapshotFile.write(dir, writes.settledView(), options.modelFingerprint());
  }

  /**
   * Adds an entry.
   *
   * @throws DuplicateIdException if {@code id} is already present (use {@link #upsert})
   * @throws PayloadBudgetExceededException if the payload would pass the budget
   * @throws StorageFailureException if the disk refused the write (nothing changed)
   * @throws InvalidCodeException if the code is missing or of another length
   * @throws InvalidRequestException if the id or payload is empty or too long
   */
  public void add(String id, Code code, byte[] payload) {
    put(List.of(new Entry(id, code, payload)), false);
  }

  /**
   * Adds an entry, or replaces the one with the same id (it then counts as the newest insertion).
   */
  public void upsert(String id, Code code, byte[] payload) {
    put(List.of(new Entry(id, code, payload)), true);
  }

  /**
   * Upserts many entries with one log write and one fsync; all are checked before any is applied.
   */
  public void upsertAll(List<Entry> entries) {
    put(entries, true);
  }

  private void put(List<Entry> entries, boolean replace) {
    List<Entry> checked = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      Requests.checkId(e.id());
      Requests.checkCode(options.bits(), e.code());
      Requests.checkPayload(e.payload());
      // A copy: the caller may reuse its array after the call.
      checked.add(new Entry(e.id(), e.code(), e.payload() == null ? null : e.payload().clone()));
    }
    writes.put(checked, replace);
    maintenance.afterPut();
  }

  /**
   * Deletes the entry with {@code id} (a tombstone; compaction reclaims the space in the
   * background).
   *
   * @throws UnknownIdException if no entry has this id
   */
  public void delete(String id) {
    Requests.checkId(id);
    writes.delete(id);
    maintenance.afterDelete();
  }

  /** The entry with {@code id}, if present. */
  public Optional<Entry> get(String id) {
    Requests.checkId(id);
    return Optional.ofNullable(searches.get(id));
  }

  /**
   * The {@code k} nearest entries to {@code query}, by (distance, insertion order). Concurrent
   * calls are answered together in one pass over the codes (up to {@link
   * IndexOptions#maxCoalesced()}), with the same results.
   */
  public List<SearchHit> search(Code query, int k) {
    Requests.checkCode(options.bits(), query);
    Requests.checkK(k);
    return searches.knn(query.words(), k);
  }

  /**
   * Every entry within Hamming distance {@code radius} of {@code query}, by (distance, insertion
   * order).
   */
  public List<SearchHit> searchRadius(Code query, int radius) {
    Requests.checkCode(options.bits(), query);
    if (radius < 0) {
      throw new InvalidRequestException("radius must be >= 0, got " + radius);
    }
    return searches.radius(query.words(), radius);
  }

  /** The {@code k} nearest entries for each query, answered in one pass over the codes. */
  public List<List<SearchHit>> searchBatch(List<Code> queries, int k) {
    Requests.checkK(k);
    long[][] packed = new long[queries.size()][];
    for (int q = 0; q < packed.length; q++) {
      Requests.checkCode(options.bits(), queries.get(q));
      packed[q] = queries.get(q).words();
    }
    return searches.knnBatch(packed, k);
  }

  /**
   * Visits every live entry of one consistent state of the index, in insertion order. Writes made
   * meanwhile are not seen (a re-encode records them separately).
   */
  public void forEach(Consumer<Entry> visitor) {
    searches.forEach(visitor);
  }

  /** Live entries. */
  public int size() {
    return writes.view().liveCount();
  }

  /** Whether the storage takes writes; always healthy for an in-memory index. */
  public StorageHealth storageHealth() {
    return wal == null ? StorageHealth.HEALTHY : wal.health();
  }

  /**
   * While the storage is failed, tries a small write and fsync ({@value WriteAheadLog#PROBE_BYTES}
   * bytes) to learn whether the disk takes writes again, so that readiness can recover without
   * waiting for a client's write.
   *
   * @return the storage health after the probe
   */
  public StorageHealth probeStorage() {
    if (wal == null) {
      return StorageHealth.HEALTHY;
    }
    wal.probe();
    return wal.health();
  }

  /** The current generation (the scale benchmark reads its off-heap sizes). */
  Generation generation() {
    return writes.view().generation;
  }

  /** Code length of this index. */
  public int bits() {
    return options.bits();
  }

  /** A summary for metrics: sizes, memory, search paths, the log, snapshots and compactions. */
  public IndexStats stats() {
    return stats.stats();
  }

  /** The index's files and how its opening went, read now (lists the log's directory). */
  public FileStats fileStats() {
    FileStats.Log log = wal == null ? new FileStats.Log(0, 0) : wal.files();
    return new FileStats(
        opened,
        recoveryNanos,
        recordsReplayed,
        log.segments(),
        log.bytes(),
        snapshotter == null ? 0 : snapshotter.lastBytes());
  }

  /**
   * Writes a snapshot of the current state (atomically), then deletes older snapshots beyond the
   * newest two and the log segments they cover. The log is first rolled to a new segment (writers
   * wait for that one fsync), so every older segment is covered by this snapshot and goes at the
   * next one. Runs concurrently with searches and writes.
   *
   * @return the sequence number the snapshot includes
   */
  public long snapshot() throws IOException {
    if (snapshotter == null) {
      throw new IllegalStateException("an in-memory index has no files to snapshot");
    }
    return snapshotter.snapshot();
  }

  /**
   * Rewrites the entries without tombstones, keeping their order. Writers wait; searches do not.
   */
  public void compact() {
    writes.compact();
  }

  /** Flushes the log, stops background work and releases the directory. Idempotent. */
  @Override
  public void close() throws IOException {
    if (!writes.close()) {
      return;
    }
    maintenance.close();
    searches.close();
    try {
      if (wal != null) {
        wal.close();
      }
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }
}
