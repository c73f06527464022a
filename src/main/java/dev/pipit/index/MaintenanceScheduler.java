package dev.pipit.index;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of an index on one daemon thread: snapshots when the {@link SnapshotPolicy}
 * says one is due (checked after writes and periodically), compaction when tombstones pile up, and
 * the multi-index hash builds that run on {@link #executor()}. Each job runs at most once at a
 * time.
 */
final class MaintenanceScheduler {

  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceScheduler.class);

  /** Compaction starts once this many tombstones make up a quarter of the entries. */
  static final int COMPACT_MIN_TOMBSTONES = 4096;

  /** After a failed background snapshot, the policy waits this long before the next try. */
  static final long SNAPSHOT_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final ScheduledExecutorService executor;
  private final WritePath writes;
  private final Snapshotter snapshotter; // null for an in-memory index
  private final SnapshotPolicy policy;
  private final BackgroundTask snapshots;
  private final BackgroundTask compaction;
  private volatile long snapshotRetryAt = System.nanoTime();

  MaintenanceScheduler(WritePath writes, Snapshotter snapshotter, SnapshotPolicy policy) {
    this.writes = writes;
    this.snapshotter = snapshotter;
    this.policy = policy;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("pipit-index-maintenance").factory());
    this.snapshots =
        new BackgroundTask(executor, () -> snapshotter.snapshot(), this::snapshotFailed);
    this.compaction =
        new BackgroundTask(
            executor, writes::compact, e -> LOG.warn("background compaction failed", e));
    long interval = policy.interval().toMillis();
    if (snapshotter != null && interval > 0) {
      long period = Math.clamp(interval / 4, 10, 1000);
      executor.scheduleWithFixedDelay(this::maybeSnapshot, period, period, TimeUnit.MILLISECONDS);
    }
  }

  /** Where other background jobs of the index run (one at a time with these). */
  Executor executor() {
    return executor;
  }

  /** Called after every acknowledged put. */
  void afterPut() {
    maybeSnapshot();
  }

  /** Called after every acknowledged delete. */
  void afterDelete() {
    maybeCompact();
    maybeSnapshot();
  }

  private void maybeSnapshot() {
    if (snapshotter == null
        || writes.closed()
        || !policy.automatic()
        || System.nanoTime() - snapshotRetryAt < 0) {
      return;
    }
    if (snapshotter.due(policy, writes.view().seq)) {
      snapshots.trigger();
    }
  }

  private void snapshotFailed(Throwable e) {
    if (!writes.closed()) {
      snapshotRetryAt = System.nanoTime() + SNAPSHOT_RETRY_NANOS;
      LOG.warn("background snapshot failed; the log keeps growing until one succeeds", e);
    }
  }

  private void maybeCompact() {
    Generation g = writes.generation(); // a racy read is fine: only a trigger
    boolean manyTombstones = g.tombstones >= COMPACT_MIN_TOMBSTONES && g.tombstones * 4L > g.count;
    // Payloads of replaced and deleted entries stay in memory until compaction: keep them under a
    // quarter of the payload budget.
    boolean deadPayloads = g.deadPayloadBytes > writes.maxPayloadBytes() / 4;
    // Death marks reach 2^32 sequences past the generation's base: rebase long before.
    boolean oldBase = writes.view().seq - g.deaths.base > DeathMarks.MAX_SPAN / 2;
    if (manyTombstones || deadPayloads || oldBase) {
      compaction.trigger();
    }
  }

  /** Stops background work; a snapshot being written finishes first. */
  void close() {
    if (snapshotter == null) {
      executor.shutdownNow();
    } else {
      // Interrupting a snapshot in flight could close the log's channel.
      snapshotter.whileIdle(executor::shutdownNow);
    }
  }
}
