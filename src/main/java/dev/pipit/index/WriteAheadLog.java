package dev.pipit.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log, in segments like ZooKeeper's {@code FileTxnLog}: {@link #append} only
 * buffers, {@link #commit} writes and fsyncs (timed, with a warning when slow). Each segment is
 * named by the sequence number of its first record, {@code wal-<seq, 20 digits>.log}, and starts
 * with a {@link FileHeader} (magic {@code "PWAL"}). Big-endian:
 *
 * <pre>
 * segment := header record*
 * record  := length:u32 crc:u32 body:byte[length]   -- crc = CRC32C(body); body as in {@link LogRecord}
 * </pre>
 *
 * Records carry consecutive sequence numbers across segments. A segment is fsynced before the next
 * one is created, so only the newest segment can end in a torn record; {@link LogReplay} truncates
 * it there.
 */
final class WriteAheadLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);

  /** A segment is closed and a new one started past this size (default). */
  static final long SEGMENT_BYTES = 64L << 20;

  /** Largest record body (an id of 256 bytes, a 64 KiB payload and a 1024-bit code fit easily). */
  static final int MAX_BODY = 1 << 20;

  private static final long SLOW_FSYNC_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Path dir;
  private final int bits;
  private final String fingerprint;
  private final FsyncPolicy policy;
  private final ByteBuffer buffer = ByteBuffer.allocate(2 * MAX_BODY);
  private final CRC32C crc = new CRC32C();
  private final Thread flusher;
  private final long maxSegmentBytes;
  private FileChannel channel;
  private long segmentFirstSeq;
  private long segmentBytes;
  private volatile long appendedBytes; // written under the monitor, read without it
  private long appendedSeq;
  private volatile long durableSeq;
  private volatile boolean closed;
  private IOException failure;
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
    log.startSegment(lastSeq + 1);
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
    Files.deleteIfExists(path); // only an empty segment can carry the name of the next record
    channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    byte[] header =
        new FileHeader(FileHeader.LOG_MAGIC, FileHeader.VERSION, bits, fingerprint, firstSeq)
            .encode();
    channel.write(ByteBuffer.wrap(header));
    channel.force(true);
    Storage.fsyncDirectory(dir);
    segmentFirstSeq = firstSeq;
    segmentBytes = header.length;
  }

  /**
   * Closes the current segment (written and fsynced) and starts the next, unless it holds no
   * record, so that every record appended so far lies in segments a snapshot of this state covers.
   */
  synchronized void roll() {
    checkUsable();
    if (appendedSeq < segmentFirstSeq) {
      return;
    }
    try {
      flushBuffer();
      channel.force(false);
      channel.close();
      durableSeq = appendedSeq;
      notifyAll();
      startSegment(appendedSeq + 1);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  /** Bytes of records appended since open. */
  long appendedBytes() {
    return appendedBytes;
  }

  /** Buffers {@code record}; durable only after a {@link #commit} that follows. */
  synchronized void append(LogRecord record) {
    checkUsable();
    int length = record.bodyLength();
    try {
      if (segmentBytes > maxSegmentBytes) {
        flushBuffer();
        channel.force(false);
        channel.close();
        durableSeq = appendedSeq;
        notifyAll();
        startSegment(record.seq());
      }
      if (buffer.remaining() < 8 + length) {
        flushBuffer();
      }
    } catch (IOException e) {
      throw fail(e);
    }
    int start = buffer.position();
    buffer.position(start + 8);
    record.writeBody(buffer);
    crc.reset();
    crc.update(buffer.array(), start + 8, length);
    buffer.putInt(start, length).putInt(start + 4, (int) crc.getValue());
    segmentBytes += 8 + length;
    appendedBytes = appendedBytes + 8 + length;
    appendedSeq = record.seq();
  }

  /** Writes and fsyncs everything appended so far. */
  synchronized void commit() {
    checkUsable();
    long target = appendedSeq;
    if (target <= durableSeq) {
      return;
    }
    try {
      flushBuffer();
      long start = System.nanoTime();
      channel.force(false);
      long took = System.nanoTime() - start;
      fsyncs++;
      fsyncNanos += took;
      if (took > SLOW_FSYNC_NANOS) {
        LOG.warn("fsync of the write-ahead log took {} ms", took / 1_000_000);
      }
    } catch (IOException e) {
      throw fail(e);
    }
    durableSeq = target;
    notifyAll();
  }

  /** Returns once record {@code seq} is durable under the fsync policy. */
  void awaitDurable(long seq) {
    if (policy.mode() == FsyncPolicy.Mode.ALWAYS) {
      if (durableSeq < seq) {
        commit();
      }
      return;
    }
    synchronized (this) {
      notifyAll(); // wake the flusher
      while (durableSeq < seq) {
        checkUsable();
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the write-ahead log", e);
        }
      }
    }
  }

  private void flushLoop() {
    while (!closed) {
      synchronized (this) {
        while (!closed && appendedSeq <= durableSeq) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
      }
      try {
        // Let more writers join this fsync.
        Thread.sleep(policy.windowMillis());
        synchronized (this) {
          if (closed) {
            return; // close() committed everything
          }
          commit();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("write-ahead log flush failed; the index refuses writes from now on", e);
        return;
      }
    }
  }

  private void flushBuffer() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  private void checkUsable() {
    if (failure != null) {
      throw new UncheckedIOException(
          "the write-ahead log failed earlier; reopen the index", failure);
    }
    if (closed) {
      throw new IllegalStateException("the write-ahead log is closed");
    }
  }

  private synchronized UncheckedIOException fail(IOException e) {
    failure = e;
    notifyAll();
    return new UncheckedIOException("write-ahead log write failed", e);
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

  /** Deletes segments whose every record is at or before {@code seq} (covered by a snapshot). */
  void deleteSegmentsCoveredBy(long seq) throws IOException {
    List<Long> firsts = Storage.sequences(dir, "wal-", ".log");
    for (int i = 0; i + 1 < firsts.size(); i++) {
      if (firsts.get(i + 1) - 1 <= seq) {
        Files.deleteIfExists(segmentPath(dir, firsts.get(i)));
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      try {
        if (failure == null) {
          commit();
        }
      } finally {
        closed = true;
        notifyAll();
        try {
          channel.close();
        } catch (IOException e) {
          LOG.warn("closing the write-ahead log failed", e);
        }
      }
    }
    if (flusher != null) {
      flusher.interrupt();
    }
  }
}
