package dev.pipit.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes snapshots of a durable index and remembers the last one (for the {@link SnapshotPolicy}
 * and the stats). One snapshot at a time: on demand and from the background.
 */
final class Snapshotter {

  private static final Logger LOG = LoggerFactory.getLogger(Snapshotter.class);

  private final Path dir;
  private final String fingerprint;
  private final WriteAheadLog wal;
  private final WritePath writes;
  private final Object lock = new Object();
  private volatile long lastSeq;
  private volatile long lastNanos = System.nanoTime();
  private volatile long logBytesAtLast;
  private volatile Instant lastTime;
  private volatile long count; // written under lock
  private volatile long lastBytes;
  private final IndexListener listener;

  Snapshotter(
      Path dir,
      String fingerprint,
      WriteAheadLog wal,
      WritePath writes,
      long recoveredSeq,
      IndexListener listener) {
    this.listener = listener;
    this.lastBytes = snapshotBytes(dir, recoveredSeq);
    this.dir = dir;
    this.fingerprint = fingerprint;
    this.wal = wal;
    this.writes = writes;
    this.lastSeq = recoveredSeq;
    this.lastTime = snapshotTime(dir, recoveredSeq);
  }

  private static long snapshotBytes(Path dir, long seq) {
    if (seq == 0) {
      return 0;
    }
    try {
      return Files.size(SnapshotFile.path(dir, seq));
    } catch (IOException e) {
      return 0;
    }
  }

  private static Instant snapshotTime(Path dir, long seq) {
    if (seq == 0) {
      return null;
    }
    try {
      return Files.getLastModifiedTime(SnapshotFile.path(dir, seq)).toInstant();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Writes a snapshot of the current state (atomically), then deletes older snapshots beyond the
   * newest two and the log segments they cover. The log is first rolled to a new segment (writers
   * wait for that one fsync), so every older segment is covered by this snapshot and goes at the
   * next one.
   *
   * @return the sequence number the snapshot includes
   */
  long snapshot() throws IOException {
    synchronized (lock) {
      WritePath.Rolled rolled = writes.rollLog();
      View v = rolled.view();
      HammingIndex.crashPoint.accept("snapshot-rolled");
      long start = System.nanoTime();
      Path written = SnapshotFile.write(dir, v, fingerprint);
      long took = System.nanoTime() - start;
      HammingIndex.crashPoint.accept("snapshot-written");
      wal.deleteSegmentsCoveredBy(SnapshotFile.prune(dir));
      lastSeq = v.seq;
      lastNanos = System.nanoTime();
      logBytesAtLast = rolled.logBytes();
      lastTime = Instant.now();
      count++;
      lastBytes = Files.size(written);
      listener.snapshotWritten(took, lastBytes);
      LOG.debug("snapshot at {} ({} entries) in {} ms", v.seq, v.liveCount(), took / 1_000_000);
      return v.seq;
    }
  }

  /** Whether {@code policy} calls for a snapshot of the index as of {@code seq} now. */
  boolean due(SnapshotPolicy policy, long seq) {
    return policy.due(
        seq - lastSeq, wal.appendedBytes() - logBytesAtLast, System.nanoTime() - lastNanos);
  }

  /** Runs {@code action} once no snapshot is being written (none starts meanwhile). */
  void whileIdle(Runnable action) {
    synchronized (lock) {
      action.run();
    }
  }

  /** Snapshots written since open. */
  long count() {
    return count;
  }

  /** Sequence number the newest snapshot includes; 0 if none. */
  long lastSeq() {
    return lastSeq;
  }

  /** Size of the newest snapshot file; 0 if none. */
  long lastBytes() {
    return lastBytes;
  }

  /** When the newest snapshot was written; null if none. */
  Instant lastTime() {
    return lastTime;
  }
}
