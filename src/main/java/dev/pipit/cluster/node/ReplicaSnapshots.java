package dev.pipit.cluster.node;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's replica snapshots: on demand (a graceful stop), and in the background when the {@link
 * ReplicaSnapshotPolicy} says one is due, on a thread of their own. One at a time. Each model's
 * index is written from one consistent state while the tail goes on ({@link
 * ReplicaSnapshot#write}); nothing is copied onto the heap.
 */
public final class ReplicaSnapshots implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplicaSnapshots.class);

  /** After a failed background snapshot, the next try waits this long. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(10);

  /**
   * What the snapshots did, for metrics and readiness.
   *
   * @param lastSequence sequence the newest snapshot holds (the restored one's, 0 if none)
   * @param lastAt when the newest was written (null if none since start)
   * @param written snapshots written since start
   * @param failures snapshots that failed since start
   * @param totalSeconds time spent writing them (copy and file)
   * @param lastSeconds time the newest took
   * @param lastEntries entries the newest holds
   */
  public record Status(
      long lastSequence,
      Instant lastAt,
      long written,
      long failures,
      double totalSeconds,
      double lastSeconds,
      long lastEntries) {}

  private final ReplicaSnapshot file;
  private final ChangeTailer tailer;
  private final ReplicaIndex replica;
  private final ReplicaSnapshotPolicy policy;
  private final ScheduledExecutorService executor;
  private final Object writing = new Object();
  private volatile Status status;
  private volatile long changesAtLast;
  private volatile long nanosAtLast = System.nanoTime();
  private volatile long retryAt = System.nanoTime();

  ReplicaSnapshots(
      ReplicaSnapshot file,
      ChangeTailer tailer,
      ReplicaIndex replica,
      ReplicaSnapshotPolicy policy,
      long restoredSequence) {
    this.file = file;
    this.tailer = tailer;
    this.replica = replica;
    this.policy = policy;
    this.status = new Status(restoredSequence, null, 0, 0, 0, 0, 0);
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("pipit-replica-snapshots").factory());
    if (policy.automatic()) {
      long interval = policy.interval().toMillis();
      long period = interval > 0 ? Math.clamp(interval / 4, 20, 1_000) : 1_000;
      executor.scheduleWithFixedDelay(this::maybeSnapshot, period, period, TimeUnit.MILLISECONDS);
    }
  }

  /** Writes a snapshot now (waits for one in progress); returns its sequence. */
  long snapshot() throws IOException {
    synchronized (writing) {
      long start = System.nanoTime();
      // Read before writing: every change up to them is in the replica; the files may hold later
      // ones too, which the restart replays harmlessly (ReplicaSnapshot#write).
      long changes = tailer.changesApplied();
      long applied = tailer.appliedSequence();
      ReplicaSnapshot.Written written;
      try {
        written = file.write(replica, applied);
      } catch (IOException | RuntimeException e) {
        Status s = status;
        status =
            new Status(
                s.lastSequence(),
                s.lastAt(),
                s.written(),
                s.failures() + 1,
                s.totalSeconds(),
                s.lastSeconds(),
                s.lastEntries());
        throw e;
      }
      long took = System.nanoTime() - start;
      changesAtLast = changes;
      nanosAtLast = System.nanoTime();
      Status s = status;
      status =
          new Status(
              written.sequence(),
              Instant.now(),
              s.written() + 1,
              s.failures(),
              s.totalSeconds() + took / 1e9,
              took / 1e9,
              written.entries());
      log.debug(
          "replica snapshot at sequence {} ({} entries) in {} ms",
          written.sequence(),
          written.entries(),
          took / 1_000_000);
      return written.sequence();
    }
  }

  Status status() {
    return status;
  }

  private void maybeSnapshot() {
    if (System.nanoTime() - retryAt < 0
        || !policy.due(tailer.changesApplied() - changesAtLast, System.nanoTime() - nanosAtLast)) {
      return;
    }
    try {
      snapshot();
    } catch (IOException | RuntimeException e) {
      retryAt = System.nanoTime() + RETRY_AFTER.toNanos();
      log.warn(
          "replica snapshot failed ({}); a restart replays the log from sequence {}",
          e.toString(),
          status.lastSequence());
    }
  }

  /** Stops the background snapshots; one being written finishes first. */
  @Override
  public void close() {
    synchronized (writing) {
      executor.shutdownNow();
    }
  }
}
