package dev.pipit.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
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
 *       Health#failed() failed} until the next successful write;
 *   <li>abandons the segment: after a failed fsync the page cache is in an unknown state (Linux
 *       marks the failed pages clean, so a second fsync of the same file can succeed without the
 *       data ever reaching the disk). Rewriting in place cannot be trusted, so the next attempt
 *       truncates the old segment back to its last durable length (best effort), closes it, and
 *       writes every pending record again, from memory, into a fresh segment named by the first
 *       record not yet durable. Fresh file, fresh pages: an fsync that succeeds there means what it
 *       says. If the truncation itself did not reach the disk, the old segment keeps a tail that
 *       the next segment starts at or before; {@link LogReplay} accepts exactly that case;
 *   <li>retries on the next {@link #append} (or {@link #commit}, {@link #roll}, {@link #close}):
 *       once the disk accepts writes again, the log works without a restart. A record whose writer
 *       got the exception may thus still become durable with a later write (its outcome was
 *       unknown, not "rejected"); {@link #append} itself refuses a record, keeping nothing, while
 *       the retry fails, so a caller that applies a record only after {@code append} returns never
 *       holds a state the log cannot reach.
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

  /**
   * Storage health for stats and readiness.
   *
   * @param failed the last write or fsync failed and no later one succeeded yet
   * @param failures writes or fsyncs that failed since open
   * @param lastFailure what the disk said the last time (null if never)
   * @param lastFailureTime when (null if never)
   */
  record Health(boolean failed, long failures, String lastFailure, Instant lastFailureTime) {}

  private final Path dir;
  private final int bits;
  private final String fingerprint;
  private final FsyncPolicy policy;
  private final StorageFiles files;
  private final CRC32C crc = new CRC32C();
  private final Thread flusher;
  private final long maxSegmentBytes;
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
  private Throwable failure; // why the log is failed; null while it is healthy
  private long failures;
  private String lastFailure;
  private Instant lastFailureTime;
  private long fsyncs;
  private long fsyncNanos;

  private WriteAheadLog(
      Path dir,
      int bits,
      String fingerprint,
      FsyncPolicy policy,
      long lastSeq,
      long maxSegmentBytes) {
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
    WriteAheadLog log = new WriteAheadLog(dir, bits, fingerprint, policy, lastSeq, maxSegmentBytes);
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
   * @throws StorageFailureException if the log is failed and the disk still refuses writes (the
   *     record is then not kept)
   */
  synchronized void append(LogRecord record) {
    checkOpen();
    if (failure != null) {
      sync(); // the retry: pending records into a fresh segment
    }
    int length = record.bodyLength();
    if (length > MAX_BODY) {
      throw new IllegalArgumentException("log record of " + length + " bytes");
    }
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
    if (target <= durableSeq && failure == null) {
      return;
    }
    try {
      if (failure != null || segment == null || segmentBytes > maxSegmentBytes) {
        retireSegment();
        startSegment(durableSeq + 1);
      }
      if (pendingLength > 0) {
        segmentBytes = Long.MAX_VALUE; // unknown until the write returns: a failure truncates
        segment.write(ByteBuffer.wrap(pending, 0, pendingLength));
        segmentBytes = segmentDurableBytes + pendingLength;
        long start = System.nanoTime();
        segment.force();
        long took = System.nanoTime() - start;
        fsyncs++;
        fsyncNanos += took;
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
    if (failure != null) {
      LOG.info("the write-ahead log writes again (through record {})", target);
      failure = null;
    }
    notifyAll();
  }

  private StorageFailureException markFailed(Throwable t) {
    failure = t;
    failures++;
    lastFailure = Storage.describe(t);
    lastFailureTime = Instant.now();
    notifyAll();
    String message =
        "write-ahead log write failed ({}); records after {} are not durable, the next write"
            + " retries in a new segment";
    if (t instanceof IOException) {
      LOG.error(message, lastFailure, durableSeq); // the disk's answer says it all
    } else {
      LOG.error(message, lastFailure, durableSeq, t); // unexpected: keep the stack
    }
    return failure(t);
  }

  private StorageFailureException failure(Throwable cause) {
    return new StorageFailureException(
        "the write-ahead log could not make the write durable: " + Storage.describe(cause), cause);
  }

  /**
   * Returns once record {@code seq} is durable under the fsync policy.
   *
   * @throws StorageFailureException if the write or fsync that should cover it failed
   */
  void awaitDurable(long seq) {
    synchronized (this) {
      if (policy.mode() == FsyncPolicy.Mode.ALWAYS) {
        if (durableSeq < seq) {
          checkOpen();
          sync();
        }
        return;
      }
      long seen = failures;
      notifyAll(); // wake the flusher
      while (durableSeq < seq) {
        checkOpen();
        if (failure != null || failures != seen) {
          throw failure(failure != null ? failure : new IOException(lastFailure));
        }
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the write-ahead log", e);
        }
      }
    }
  }

  /** The group-commit thread: survives anything a commit throws (the log is marked failed). */
  private void flushLoop() {
    while (true) {
      try {
        synchronized (this) {
          // A failed log waits for the next append, which retries itself.
          while (!closed && (appendedSeq <= durableSeq || failure != null)) {
            wait();
          }
          if (closed) {
            return;
          }
        }
        Thread.sleep(policy.windowMillis()); // let more writers join this fsync
        synchronized (this) {
          if (closed) {
            return; // close() committed everything
          }
          if (failure == null) {
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
  synchronized Health health() {
    return new Health(failure != null, failures, lastFailure, lastFailureTime);
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
