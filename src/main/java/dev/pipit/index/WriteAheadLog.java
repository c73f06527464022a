package dev.pipit.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log, in segments like ZooKeeper's {@code FileTxnLog}: {@link #append} only
 * buffers, {@link #commit} writes and fsyncs (timed, with a warning when slow). Each segment is
 * named by the sequence number of its first record, {@code wal-<seq, 20 digits>.log}, and starts
 * with a {@link FileHeader} (magic {@code "PWAL"}), forced together with its directory entry before
 * any record goes in. Big-endian:
 *
 * <pre>
 * segment := header record*
 * record  := length:u32 crc:u32 body:byte[length]   -- crc = CRC32C(body); body as in {@link LogRecord}
 * </pre>
 *
 * Records carry consecutive sequence numbers across segments. A segment is fsynced before the next
 * one is created, so normally only the newest segment can end in a torn record; {@link LogReplay}
 * truncates it there.
 *
 * <p><b>Failures.</b> Records appended but not yet durable stay in memory ({@code pending}) until
 * an fsync covering them returns. When a write or an fsync fails (disk full, I/O error, or any
 * {@link Throwable}, also in the group-commit thread), the log:
 *
 * <ul>
 *   <li>reports nothing as durable: {@link #durableSeq} stays where the last successful fsync left
 *       it, and every writer waiting on the failed group gets a {@link StorageFailureException};
 *   <li>records the failure ({@link #health}: count, last reason, time) and is {@linkplain
 *       StorageHealth#failed() failed} until the next successful write;
 *   <li>drops every record not yet durable: their writers were told the write failed, so no later
 *       fsync may carry them to the disk. The sequence numbers are handed out again, and {@link
 *       #epoch} counts the drops so that a waiter can tell its record from a later one with the
 *       same number ({@link #awaitDurable} returns false once a drop happened);
 *   <li>abandons the segment at once: after a failed fsync the page cache is in an unknown state
 *       (Linux marks the failed pages clean, so a second fsync of the same file can succeed without
 *       the data ever reaching the disk), and its tail may hold dropped records. It is truncated
 *       back to its last durable length (best effort) and closed, and a fresh segment named by the
 *       first sequence number not yet durable is started (best effort, else on the next write):
 *       {@link LogReplay} reads a record of an older segment only below the next segment's first
 *       number, so a dropped record left in the old tail is never replayed once the fresh segment
 *       exists. Fresh file, fresh pages: an fsync that succeeds there means what it says. Only a
 *       crash while the disk refuses both the truncation and the new file leaves a dropped record
 *       that replay could still read;
 *   <li>retries on the next {@link #append} (or {@link #commit}, {@link #roll}, {@link #probe}):
 *       once the disk accepts writes again, the log works without a restart. {@link #append} itself
 *       refuses a batch, keeping nothing, while the retry fails.
 * </ul>
 *
 * No writer ever waits without bound: a failure wakes every waiter.
 */
final class WriteAheadLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);

  /** A segment is closed and a new one started past this size (default). */
  static final long SEGMENT_BYTES = 64L << 20;

  /** Largest record body (an id of 256 bytes, a 64 KiB payload and a 1024-bit code fit easily). */
  static final int MAX_BODY = 1 << 20;

  private static final long SLOW_FSYNC_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Bytes a {@link #probe} writes: a failed log is healthy again once this much fits. */
  static final int PROBE_BYTES = 64 * 1024;

  private final Path dir;
  private final int bits;
  private final String fingerprint;
  private final FsyncPolicy policy;
  private final StorageFiles files;
  private final CRC32C crc = new CRC32C();
  private final Thread flusher;
  private final long maxSegmentBytes;
  private final IndexListener listener;
  private byte[] pending = new byte[1 << 16]; // framed records after durableSeq
  private int pendingLength;
  private StorageFiles.LogFile segment; // null after a failed start of one
  private long segmentFirstSeq;
  private long segmentBytes; // header and records written to the segment
  private long segmentDurableBytes; // of which forced
  private volatile long appendedBytes; // written under the monitor, read without it
  private long appendedSeq;
  private volatile long durableSeq;
  private volatile boolean closed;
  private final LogHealth health = new LogHealth();
  private volatile long epoch; // drops of non-durable records since open
  private long fsyncs;
  private long fsyncNanos;
  private int waiting; // writers in awaitDurable (group commit); under the monitor

  private WriteAheadLog(
      Path dir,
      int bits,
      String fingerprint,
      FsyncPolicy policy,
      long lastSeq,
      long maxSegmentBytes,
      IndexListener listener) {
    this.listener = listener;
    this.dir = dir;
    this.maxSegmentBytes = maxSegmentBytes;
    this.bits = bits;
    this.fingerprint = fingerprint;
    this.policy = policy;
    this.files = Storage.files(dir);
    this.appendedSeq = lastSeq;
    this.durableSeq = lastSeq;
    this.flusher =
        policy.mode() == FsyncPolicy.Mode.GROUP
            ? Thread.ofPlatform().daemon().name("pipit-wal-flusher").unstarted(this::flushLoop)
            : null;
  }

  /** Starts a new segment for records after {@code lastSeq} (the last one recovered). */
  static WriteAheadLog open(
      Path dir,
      int bits,
      String fingerprint,
      FsyncPolicy policy,
      long lastSeq,
      long maxSegmentBytes)
      throws IOException {
    return open(dir, bits, fingerprint, policy, lastSeq, maxSegmentBytes, IndexListener.NONE);
  }

  /** As above, telling {@code listener} the time of every write and fsync. */
  static WriteAheadLog open(
      Path dir,
      int bits,
      String fingerprint,
      FsyncPolicy policy,
      long lastSeq,
      long maxSegmentBytes,
      IndexListener listener)
      throws IOException {
    WriteAheadLog log =
        new WriteAheadLog(dir, bits, fingerprint, policy, lastSeq, maxSegmentBytes, listener);
    synchronized (log) {
      log.startSegment(lastSeq + 1);
    }
    if (log.flusher != null) {
      log.flusher.start();
    }
    return log;
  }

  static Path segmentPath(Path dir, long firstSeq) {
    return dir.resolve(String.format("wal-%020d.log", firstSeq));
  }

  private void startSegment(long firstSeq) throws IOException {
    Path path = segmentPath(dir, firstSeq);
    // Only a segment holding no durable record (empty, or abandoned) can carry this name.
    files.delete(path);
    StorageFiles.LogFile file = files.create(path);
    byte[] header =
        new FileHeader(FileHeader.LOG_MAGIC, FileHeader.VERSION, bits, fingerprint, firstSeq)
            .encode();
    try {
      file.write(ByteBuffer.wrap(header));
      file.force();
      files.fsyncDirectory(dir);
    } catch (IOException | RuntimeException | Error e) {
      closeQuietly(file);
      throw e;
    }
    segment = file;
    segmentFirstSeq = firstSeq;
    segmentBytes = header.length;
    segmentDurableBytes = header.length;
  }

  /** Closes the current segment, first cutting off whatever a failure left past its durable end. */
  private void retireSegment() {
    if (segment == null) {
      return;
    }
    try {
      if (segmentBytes != segmentDurableBytes) {
        segment.truncate(segmentDurableBytes);
        segment.force();
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "cannot cut the abandoned log segment {} back to {} bytes ({}); replay skips its tail",
          segmentPath(dir, segmentFirstSeq).getFileName(),
          segmentDurableBytes,
          Storage.describe(e));
    } finally {
      closeQuietly(segment);
      segment = null;
    }
  }

  /**
   * Closes the current segment (written and fsynced) and starts the next, unless it holds no
   * record, so that every record appended so far lies in segments a snapshot of this state covers.
   *
   * @throws StorageFailureException if the disk refused a write
   */
  synchronized void roll() {
    checkOpen();
    sync();
    if (segmentFirstSeq > durableSeq) {
      return;
    }
    try {
      retireSegment();
      startSegment(durableSeq + 1);
    } catch (Throwable t) {
      throw markFailed(t);
    }
  }

  /** Bytes of records appended since open. */
  long appendedBytes() {
    return appendedBytes;
  }

  /**
   * Buffers {@code record}; durable only after a {@link #commit} that follows.
   *
   * @return the {@link #epoch} the record belongs to
   * @throws StorageFailureException if the log is failed and the disk still refuses writes (the
   *     record is then not kept)
   */
  synchronized long append(LogRecord record) {
    return appendAll(List.of(record));
  }

  /**
   * Buffers {@code records} together: a group commit makes all of them durable or, failing, drops
   * all of them (never a part of a batch).
   *
   * @return the {@link #epoch} the records belong to
   * @throws StorageFailureException if the log is failed and the disk still refuses writes (no
   *     record is then kept)
   */
  synchronized long appendAll(List<LogRecord> records) {
    return appendAll(records, epoch);
  }

  /**
   * {@link #appendAll(List)} for a caller that numbered {@code records} while the log was in {@code
   * expectedEpoch}: if the log dropped records since (a failure between numbering and appending),
   * the numbers no longer follow on and a caller told of the drop would discard these records too,
   * so nothing is appended and the caller gets the failure.
   */
  synchronized long appendAll(List<LogRecord> records, long expectedEpoch) {
    checkOpen();
    if (epoch != expectedEpoch) {
      throw failureException();
    }
    if (health.failed()) {
      sync(); // the retry: a fresh segment
    }
    for (LogRecord record : records) {
      if (record.bodyLength() > MAX_BODY) {
        throw new IllegalArgumentException("log record of " + record.bodyLength() + " bytes");
      }
    }
    for (LogRecord record : records) {
      buffer(record);
    }
    return epoch;
  }

  private void buffer(LogRecord record) {
    int length = record.bodyLength();
    int start = pendingLength;
    if (pending.length - start < 8 + length) {
      pending = Arrays.copyOf(pending, Math.max(2 * pending.length, start + 8 + length));
    }
    ByteBuffer buffer = ByteBuffer.wrap(pending);
    buffer.position(start + 8);
    record.writeBody(buffer);
    crc.reset();
    crc.update(pending, start + 8, length);
    buffer.putInt(start, length).putInt(start + 4, (int) crc.getValue());
    pendingLength = start + 8 + length;
    appendedBytes = appendedBytes + 8 + length;
    appendedSeq = record.seq();
  }

  /** Drops of non-durable records since open (each failure drops what was pending). */
  long epoch() {
    return epoch;
  }

  /** The sequence number of the last record kept (durable or pending). */
  synchronized long appendedSeq() {
    return appendedSeq;
  }

  /**
   * Writes and fsyncs everything appended so far.
   *
   * @throws StorageFailureException if the disk refused (nothing more became durable)
   */
  synchronized void commit() {
    checkOpen();
    sync();
  }

  /**
   * Makes every pending record durable, or marks the log failed and throws. After a failure, or
   * past the segment size, the records go to a new segment.
   */
  private void sync() {
    long target = appendedSeq;
    if (target <= durableSeq && !health.failed()) {
      return;
    }
    try {
      if (segment == null || segmentBytes > maxSegmentBytes) {
        retireSegment();
        startSegment(durableSeq + 1);
      }
      if (pendingLength > 0) {
        segmentBytes = Long.MAX_VALUE; // unknown until the write returns: a failure truncates
        long written = System.nanoTime();
        segment.write(ByteBuffer.wrap(pending, 0, pendingLength));
        segmentBytes = segmentDurableBytes + pendingLength;
        long start = System.nanoTime();
        listener.logWritten(start - written);
        segment.force();
        long took = System.nanoTime() - start;
        fsyncs++;
        fsyncNanos += took;
        listener.logSynced(took, target - durableSeq);
        if (took > SLOW_FSYNC_NANOS) {
          LOG.warn("fsync of the write-ahead log took {} ms", took / 1_000_000);
        }
      }
    } catch (Throwable t) {
      throw markFailed(t);
    }
    segmentDurableBytes = segmentBytes;
    pendingLength = 0;
    durableSeq = target;
    if (health.clear()) {
      LOG.info("the write-ahead log writes again (through record {})", target);
    }
    notifyAll();
  }

  private StorageFailureException markFailed(Throwable t) {
    String reason = health.record(t);
    long dropped = appendedSeq - durableSeq;
    appendedBytes -= pendingLength;
    pendingLength = 0;
    appendedSeq = durableSeq;
    epoch++;
    notifyAll();
    String message =
        "write-ahead log write failed ({}); {} records after {} dropped, the next write retries in"
            + " a new segment";
    if (t instanceof IOException) {
      LOG.error(message, reason, dropped, durableSeq); // the disk's answer says it all
    } else {
      LOG.error(message, reason, dropped, durableSeq, t); // unexpected: keep the stack
    }
    voidTail();
    return failure(t);
  }

  /**
   * Makes sure replay never reads a dropped record: cuts the segment back to what is durable and
   * starts the next one at the first record not durable (both best effort; the next write retries).
   */
  private void voidTail() {
    retireSegment();
    try {
      startSegment(durableSeq + 1);
    } catch (Throwable e) {
      LOG.warn(
          "cannot start a fresh log segment after the failure ({}); the next write retries",
          Storage.describe(e));
    }
  }

  /**
   * Checks whether the disk takes writes again while the log is failed: writes and fsyncs a probe
   * file of {@value #PROBE_BYTES} bytes (deleted again; a leftover {@code .tmp} goes at open) and,
   * if that works, starts a fresh segment if none is open. Does nothing while the log is healthy.
   *
   * @return whether the log is healthy now
   */
  synchronized boolean probe() {
    if (!health.failed()) {
      return true;
    }
    if (closed) {
      return false;
    }
    Path probe = dir.resolve("probe.tmp");
    try {
      StorageFiles.LogFile file = files.create(probe);
      try {
        file.write(ByteBuffer.allocate(PROBE_BYTES));
        file.force();
      } finally {
        closeQuietly(file);
        files.delete(probe);
      }
      if (segment == null) {
        startSegment(durableSeq + 1);
      }
    } catch (Throwable e) {
      LOG.debug("storage probe failed: {}", Storage.describe(e));
      return false;
    }
    health.clear();
    LOG.info("the write-ahead log writes again (probe after record {})", durableSeq);
    return true;
  }

  /** The last failure as the exception its writers get (for records dropped by it). */
  synchronized StorageFailureException failureException() {
    return failure(health.lastCause());
  }

  private StorageFailureException failure(Throwable cause) {
    return new StorageFailureException(
        "the write-ahead log could not make the write durable: " + Storage.describe(cause), cause);
  }

  /**
   * Waits until record {@code seq}, appended in {@code epoch}, is durable under the fsync policy,
   * or until a failure dropped non-durable records.
   *
   * @return true if the record is durable; false if a drop happened since {@code epoch}: the record
   *     was dropped if it was not durable before that drop (the caller's bookkeeping tells)
   */
  boolean awaitDurable(long seq, long epoch) {
    synchronized (this) {
      if (policy.mode() == FsyncPolicy.Mode.ALWAYS) {
        if (this.epoch == epoch && durableSeq < seq) {
          checkOpen();
          try {
            sync();
          } catch (StorageFailureException e) {
            return false; // sync dropped the record
          }
        }
        return this.epoch == epoch;
      }
      notifyAll(); // wake the flusher
      waiting++;
      try {
        while (this.epoch == epoch && durableSeq < seq) {
          checkOpen();
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the write-ahead log", e);
          }
        }
      } finally {
        waiting--;
      }
      return this.epoch == epoch;
    }
  }

  /** The group-commit thread: survives anything a commit throws (the log is marked failed). */
  private void flushLoop() {
    boolean lone;
    while (true) {
      try {
        synchronized (this) {
          // A failed log waits for the next append, which retries itself.
          while (!closed && (appendedSeq <= durableSeq || health.failed())) {
            wait();
          }
          if (closed) {
            return;
          }
          // A lone writer is synced at once: the window only pays while others are writing too
          // (they join this fsync), as PostgreSQL's commit_delay applies only with commit_siblings.
          lone = waiting <= 1;
        }
        if (!lone) {
          Thread.sleep(policy.windowMillis()); // let more writers join this fsync
        }
        synchronized (this) {
          if (closed) {
            return; // close() committed everything
          }
          if (!health.failed()) {
            sync();
          }
        }
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (StorageFailureException e) {
        // sync() marked the log failed and woke the waiters; the next append retries
      } catch (Throwable t) {
        synchronized (this) {
          markFailed(t);
        }
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the write-ahead log is closed");
    }
  }

  long durableSeq() {
    return durableSeq;
  }

  synchronized long fsyncCount() {
    return fsyncs;
  }

  synchronized long fsyncNanos() {
    return fsyncNanos;
  }

  /** Whether the log is failed now, and the failures since open (for stats and readiness). */
  synchronized StorageHealth health() {
    return health.snapshot();
  }

  /**
   * Segments on disk and their bytes, listed now (for metrics: a scrape every few seconds, not a
   * hot path). A segment deleted while listed counts as absent.
   */
  FileStats.Log files() {
    int segments = 0;
    long bytes = 0;
    try {
      for (long first : Storage.sequences(dir, "wal-", ".log")) {
        try {
          bytes += Files.size(segmentPath(dir, first));
          segments++;
        } catch (IOException e) {
          // deleted by a snapshot meanwhile
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot list the log segments in {}", dir, e);
    }
    return new FileStats.Log(segments, bytes);
  }

  /** Deletes segments whose every record is at or before {@code seq} (covered by a snapshot). */
  void deleteSegmentsCoveredBy(long seq) throws IOException {
    List<Long> firsts = Storage.sequences(dir, "wal-", ".log");
    for (int i = 0; i + 1 < firsts.size(); i++) {
      if (firsts.get(i + 1) - 1 <= seq) {
        files.delete(segmentPath(dir, firsts.get(i)));
      }
    }
  }

  /**
   * Commits what is pending and closes the log.
   *
   * @throws StorageFailureException if pending records could not be made durable
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      try {
        if (appendedSeq > durableSeq) {
          sync();
        }
      } finally {
        closed = true;
        notifyAll();
        if (segment != null) {
          closeQuietly(segment);
        }
      }
    }
    if (flusher != null) {
      flusher.interrupt();
    }
  }

  private static void closeQuietly(StorageFiles.LogFile file) {
    try {
      file.close();
    } catch (IOException e) {
      LOG.warn("closing a write-ahead log segment failed", e);
    }
  }
}
