package dev.pipit.index;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A top-k Hamming index over binary codes with external ids and payloads, durable through a
 * write-ahead log and snapshots. Thread-safe: one writer at a time, searches lock-free on an
 * immutable {@link View} published after every mutation, so a search never sees a torn state.
 *
 * <p>Results are ordered by (distance, insertion order); an upsert counts as a new insertion. Every
 * search path (scalar or SIMD kernel, threaded, batched, multi-index hashing) returns the same
 * list.
 *
 * <p>A mutation is acknowledged (returns) only once its log record is durable under the {@link
 * FsyncPolicy}. It is applied in memory before that, so a concurrent search may see it a few
 * milliseconds before it is acknowledged; after a crash, every acknowledged mutation is recovered.
 * A rejected call (exception) leaves the index unchanged.
 *
 * <p>Files in the directory: {@code wal-<seq>.log} ({@link WriteAheadLog}), {@code
 * snapshot-<seq>.bin} ({@link SnapshotFile}), {@code LOCK}. Opening = newest intact snapshot +
 * replay of the later log. Snapshots are written on demand ({@link #snapshot}) and in the
 * background by the {@link SnapshotPolicy}.
 */
public final class HammingIndex implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(HammingIndex.class.getName());

  /** Longest external id, in bytes of UTF-8. */
  public static final int MAX_ID_BYTES = 256;

  /** Largest payload in bytes. */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  /** Largest k for one search. */
  public static final int MAX_K = 100_000;

  /** Compaction starts once this many tombstones make up a quarter of the entries. */
  static final int COMPACT_MIN_TOMBSTONES = 4096;

  /** After a failed background snapshot, the policy waits this long before the next try. */
  static final long SNAPSHOT_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * Called at the steps of a snapshot where a crash leaves a distinct state on disk (crash tests).
   */
  static volatile Consumer<String> crashPoint = point -> {};

  private final IndexOptions options;
  private final Path dir;
  private final FileChannel lockChannel;
  private final WriteAheadLog wal;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ExecutorService searchPool;
  private final ScheduledExecutorService maintenance;
  private final Searcher searcher;
  private final SearchCoalescer coalescer;
  private final AtomicBoolean compacting = new AtomicBoolean();
  private final AtomicBoolean snapshotting = new AtomicBoolean();
  private final Object snapshotLock = new Object();
  private final long tornBytes;
  private volatile long lastSnapshotSeq;
  private volatile long lastSnapshotNanos = System.nanoTime();
  private volatile long logBytesAtSnapshot;
  private volatile Instant lastSnapshotTime;
  private volatile long snapshots; // written under snapshotLock
  private volatile long snapshotRetryAt = System.nanoTime();
  private Gallery gallery;
  private long lastSeq;
  private long compactions;
  private volatile View view;
  private volatile boolean closed;

  private HammingIndex(
      IndexOptions options,
      Path dir,
      FileChannel lockChannel,
      Recovery.State state,
      WriteAheadLog wal) {
    this.options = options;
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.wal = wal;
    this.gallery = state.gallery();
    this.lastSeq = state.lastSeq();
    this.tornBytes = state.tornBytes();
    this.view = gallery.publish(lastSeq);
    this.searchPool =
        options.threads() > 1
            ? Executors.newFixedThreadPool(
                options.threads() - 1,
                Thread.ofPlatform().daemon().name("pipit-search-", 0).factory())
            : null;
    this.maintenance =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("pipit-index-maintenance").factory());
    MihMaintainer mih = new MihMaintainer(maintenance, () -> view);
    this.searcher =
        new Searcher(
            KernelProvider.kernel(), options.strategy(), searchPool, options.threads(), mih);
    this.coalescer = new SearchCoalescer(searcher, this::liveView, options.maxCoalesced());
    this.lastSnapshotSeq = state.snapshotSeq();
    this.lastSnapshotTime = snapshotTime(dir, state.snapshotSeq());
    long interval = options.snapshots().interval().toMillis();
    if (wal != null && interval > 0) {
      long period = Math.clamp(interval / 4, 10, 1000);
      maintenance.scheduleWithFixedDelay(
          this::maybeSnapshot, period, period, TimeUnit.MILLISECONDS);
    }
  }

  private static Instant snapshotTime(Path dir, long seq) {
    if (dir == null || seq == 0) {
      return null;
    }
    try {
      return Files.getLastModifiedTime(SnapshotFile.path(dir, seq)).toInstant();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Opens (or creates) the index in {@code dir}: loads the newest intact snapshot, replays the log
   * after it (truncating a torn tail, reported in {@link IndexStats#tornBytesTruncated}), and
   * starts a new log segment.
   *
   * @throws IndexMismatchException if the files were written for another code length or model
   * @throws CorruptIndexException if the files are damaged beyond a torn log tail
   * @throws IllegalStateException if another process holds the directory
   */
  public static HammingIndex open(Path dir, IndexOptions options) throws IOException {
    return open(dir, options, WriteAheadLog.SEGMENT_BYTES);
  }

  /**
   * {@link #open(Path, IndexOptions)} with log segments rolled past {@code segmentBytes} (tests).
   */
  static HammingIndex open(Path dir, IndexOptions options, long segmentBytes) throws IOException {
    Files.createDirectories(dir);
    FileChannel lockChannel =
        FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IllegalStateException(dir + " is in use by another index");
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path stray : files.filter(p -> p.toString().endsWith(".tmp")).toList()) {
          Files.delete(stray); // a snapshot whose writer crashed before the rename
        }
      }
      Recovery.State state = Recovery.recover(dir, options);
      WriteAheadLog wal =
          WriteAheadLog.open(
              dir,
              options.bits(),
              options.modelFingerprint(),
              options.fsync(),
              state.lastSeq(),
              segmentBytes);
      return new HammingIndex(options, dir, lockChannel, state, wal);
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
  }

  /** An index without files (nothing survives {@link #close}); for tests, benchmarks and caches. */
  public static HammingIndex inMemory(IndexOptions options) {
    return new HammingIndex(options, null, null, Recovery.State.empty(options.bits()), null);
  }

  /**
   * Adds an entry.
   *
   * @throws DuplicateIdException if {@code id} is already present (use {@link #upsert})
   * @throws InvalidCodeException if the code is missing or of another length
   * @throws InvalidRequestException if the id or payload is empty or too long
   */
  public void add(String id, Code code, byte[] payload) {
    write(List.of(new Entry(id, code, payload)), false);
  }

  /**
   * Adds an entry, or replaces the one with the same id (it then counts as the newest insertion).
   */
  public void upsert(String id, Code code, byte[] payload) {
    write(List.of(new Entry(id, code, payload)), true);
  }

  /**
   * Upserts many entries with one log write and one fsync; all are checked before any is applied.
   */
  public void upsertAll(List<Entry> entries) {
    write(entries, true);
  }

  private void write(List<Entry> entries, boolean replace) {
    List<Entry> checked = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      Requests.checkId(e.id());
      Requests.checkCode(options.bits(), e.code());
      Requests.checkPayload(e.payload());
      checked.add(new Entry(e.id(), e.code(), e.payload() == null ? null : e.payload().clone()));
    }
    long seq;
    writeLock.lock();
    try {
      checkOpen();
      if (!replace && gallery.ordinals.containsKey(checked.getFirst().id())) {
        throw new DuplicateIdException(
            "id '" + checked.getFirst().id() + "' is already in the index");
      }
      for (Entry e : checked) {
        long[] words = e.code().words();
        if (wal != null) {
          wal.append(LogRecord.put(lastSeq + 1, e.id(), words, e.payload()));
        }
        Recovery.applyPut(gallery, ++lastSeq, e.id(), words, e.payload());
      }
      seq = lastSeq;
      view = gallery.publish(seq);
    } finally {
      writeLock.unlock();
    }
    awaitDurable(seq);
    maybeSnapshot();
  }

  /**
   * Deletes the entry with {@code id} (a tombstone; compaction reclaims the space in the
   * background).
   *
   * @throws UnknownIdException if no entry has this id
   */
  public void delete(String id) {
    Requests.checkId(id);
    long seq;
    writeLock.lock();
    try {
      checkOpen();
      if (!gallery.ordinals.containsKey(id)) {
        throw new UnknownIdException("no entry with id '" + id + "'");
      }
      seq = lastSeq + 1;
      if (wal != null) {
        wal.append(LogRecord.delete(seq, id));
      }
      Recovery.applyDelete(gallery, seq, id);
      lastSeq = seq;
      view = gallery.publish(seq);
    } finally {
      writeLock.unlock();
    }
    awaitDurable(seq);
    maybeCompact();
    maybeSnapshot();
  }

  private void awaitDurable(long seq) {
    if (wal != null) {
      wal.awaitDurable(seq);
    }
  }

  /** The entry with {@code id}, if present. */
  public Optional<Entry> get(String id) {
    Requests.checkId(id);
    View v = view;
    Integer ordinal = v.gallery.ordinals.get(id);
    if (ordinal != null && ordinal >= v.count) {
      // An upsert between its map update and its publish: wait for it (the old entry is gone then).
      writeLock.lock();
      try {
        v = view;
        ordinal = v.gallery.ordinals.get(id);
      } finally {
        writeLock.unlock();
      }
    }
    if (ordinal == null || !v.isLive(ordinal)) {
      return Optional.empty();
    }
    long[] words = CodeLayout.load(v.codes, v.gallery.words, ordinal);
    byte[] payload = v.payloads[ordinal];
    return Optional.of(
        new Entry(id, Code.of(options.bits(), words), payload == null ? null : payload.clone()));
  }

  /**
   * The {@code k} nearest entries to {@code query}, by (distance, insertion order). Concurrent
   * calls are answered together in one pass over the codes (up to {@link
   * IndexOptions#maxCoalesced()}), with the same results.
   */
  public List<SearchHit> search(Code query, int k) {
    Requests.checkCode(options.bits(), query);
    Requests.checkK(k);
    if (options.maxCoalesced() == 1) {
      View v = liveView();
      return hits(v, searcher.knn(v, query.words(), k));
    }
    SearchCoalescer.Answer answer = coalescer.knn(query.words(), k);
    return hits(answer.view(), answer.keys());
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
    View v = liveView();
    return hits(v, searcher.radius(v, query.words(), Math.min(radius, options.bits())));
  }

  /** The {@code k} nearest entries for each query, answered in one pass over the codes. */
  public List<List<SearchHit>> searchBatch(List<Code> queries, int k) {
    Requests.checkK(k);
    long[][] packed = new long[queries.size()][];
    for (int q = 0; q < packed.length; q++) {
      Requests.checkCode(options.bits(), queries.get(q));
      packed[q] = queries.get(q).words();
    }
    searcher.batchedQueries.add(packed.length);
    View v = liveView();
    long[][] keys = packed.length == 0 ? new long[0][] : searcher.knnBatch(v, packed, k);
    List<List<SearchHit>> results = new ArrayList<>(packed.length);
    for (long[] perQuery : keys) {
      results.add(hits(v, perQuery));
    }
    return results;
  }

  private List<SearchHit> hits(View v, long[] keys) {
    List<SearchHit> hits = new ArrayList<>(keys.length);
    for (long key : keys) {
      int ordinal = Collector.ordinalOf(key);
      byte[] payload = v.payloads[ordinal];
      hits.add(
          new SearchHit(
              v.ids[ordinal], Collector.distOf(key), payload == null ? null : payload.clone()));
    }
    return hits;
  }

  /**
   * Visits every live entry of one consistent state of the index, in insertion order. Writes made
   * meanwhile are not seen (a re-encode records them separately).
   */
  public void forEach(java.util.function.Consumer<Entry> visitor) {
    View v = liveView();
    for (int ordinal = 0; ordinal < v.count; ordinal++) {
      if (v.isLive(ordinal)) {
        byte[] payload = v.payloads[ordinal];
        visitor.accept(
            new Entry(
                v.ids[ordinal],
                Code.of(options.bits(), CodeLayout.load(v.codes, v.gallery.words, ordinal)),
                payload == null ? null : payload.clone()));
      }
    }
  }

  /** Live entries. */
  public int size() {
    return view.liveCount();
  }

  /** Code length of this index. */
  public int bits() {
    return options.bits();
  }

  /** A summary for metrics: sizes, memory, kernel, search path counts. */
  public IndexStats stats() {
    View v = view;
    long hot = 8L * v.codes.length + 8L * v.deaths.length;
    double ideal = (double) v.count * (8 * v.gallery.words + 8);
    return new IndexStats(
        v.liveCount(),
        options.bits(),
        v.tombstones,
        hot,
        v.count == 0 ? 0 : hot / ideal,
        searcher.mihBytes(),
        searcher.kernel.name(),
        options.strategy(),
        searcher.linearSearches.sum(),
        searcher.mihSearches.sum(),
        searcher.mihFallbacks.sum(),
        searcher.batchedQueries.sum(),
        coalescer.coalesced.sum(),
        searcher.radiusSearches.sum(),
        searcher.ndis.sum(),
        v.seq,
        wal == null ? v.seq : wal.durableSeq(),
        wal == null ? 0 : wal.fsyncCount(),
        tornBytes,
        compactionCount(),
        snapshots,
        lastSnapshotSeq,
        lastSnapshotTime);
  }

  private synchronized long compactionCount() {
    return compactions;
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
    if (wal == null) {
      throw new IllegalStateException("an in-memory index has no files to snapshot");
    }
    synchronized (snapshotLock) {
      View v;
      long logBytes;
      writeLock.lock();
      try {
        checkOpen();
        wal.roll(); // makes every record up to v.seq durable, in segments before the new one
        v = view;
        logBytes = wal.appendedBytes();
      } finally {
        writeLock.unlock();
      }
      crashPoint.accept("snapshot-rolled");
      long start = System.nanoTime();
      SnapshotFile.write(dir, v, options.modelFingerprint());
      crashPoint.accept("snapshot-written");
      wal.deleteSegmentsCoveredBy(SnapshotFile.prune(dir));
      lastSnapshotSeq = v.seq;
      lastSnapshotNanos = System.nanoTime();
      logBytesAtSnapshot = logBytes;
      lastSnapshotTime = Instant.now();
      snapshots++;
      LOG.log(
          Level.DEBUG,
          "snapshot at {0} ({1} entries) in {2} ms",
          v.seq,
          v.liveCount(),
          (System.nanoTime() - start) / 1_000_000);
      return v.seq;
    }
  }

  /** Starts a background snapshot when the {@link SnapshotPolicy} says one is due. */
  private void maybeSnapshot() {
    if (wal == null
        || closed
        || !options.snapshots().automatic()
        || System.nanoTime() - snapshotRetryAt < 0) {
      return;
    }
    boolean due =
        options
            .snapshots()
            .due(
                view.seq - lastSnapshotSeq,
                wal.appendedBytes() - logBytesAtSnapshot,
                System.nanoTime() - lastSnapshotNanos);
    if (due && snapshotting.compareAndSet(false, true)) {
      try {
        maintenance.execute(
            () -> {
              try {
                snapshot();
              } catch (IOException | RuntimeException e) {
                if (!closed) {
                  snapshotRetryAt = System.nanoTime() + SNAPSHOT_RETRY_NANOS;
                  LOG.log(
                      Level.WARNING,
                      "background snapshot failed; the log keeps growing until one succeeds",
                      e);
                }
              } finally {
                snapshotting.set(false);
              }
            });
      } catch (RejectedExecutionException closing) {
        snapshotting.set(false);
      }
    }
  }

  /**
   * Rewrites the entries without tombstones, keeping their order. Writers wait; searches do not.
   */
  public void compact() {
    writeLock.lock();
    try {
      checkOpen();
      gallery = Recovery.compacted(gallery);
      view = gallery.publish(lastSeq);
      synchronized (this) {
        compactions++;
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void maybeCompact() {
    Gallery g = gallery; // racy read is fine: only a trigger
    if (g.tombstones >= COMPACT_MIN_TOMBSTONES
        && g.tombstones * 4L > g.count
        && compacting.compareAndSet(false, true)) {
      try {
        maintenance.execute(
            () -> {
              try {
                compact();
              } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "background compaction failed", e);
              } finally {
                compacting.set(false);
              }
            });
      } catch (RuntimeException rejected) {
        compacting.set(false);
      }
    }
  }

  private View liveView() {
    checkOpen();
    return view;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the index is closed");
    }
  }

  /** Flushes the log, stops background work and releases the directory. Idempotent. */
  @Override
  public void close() throws IOException {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      writeLock.unlock();
    }
    synchronized (snapshotLock) {
      // A background snapshot in flight finishes first: interrupting it could close the log's
      // channel.
      maintenance.shutdownNow();
    }
    if (searchPool != null) {
      searchPool.shutdownNow();
    }
    try {
      if (wal != null) {
        wal.close();
      }
    } finally {
      if (lockChannel != null) {
        lockChannel.close();
      }
    }
  }
}
