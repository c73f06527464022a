package dev.pipit.cluster.node;

import java.time.Duration;

/**
 * When a node writes its replica snapshot on its own, besides a graceful stop: once {@code
 * everyChanges} changes were applied since the last one, or {@code interval} has passed since it
 * with at least one change applied, whichever comes first. Without it a node that is killed (OOM,
 * SIGKILL, a lost machine) replays the shard's whole change log at its next start.
 *
 * @param interval time since the last snapshot (or the start) after which a changed replica takes
 *     one; zero to disable ({@code pipit.cluster.snapshot-interval})
 * @param everyChanges applied changes that trigger one; 0 to disable ({@code
 *     pipit.cluster.snapshot-every-changes})
 */
public record ReplicaSnapshotPolicy(Duration interval, long everyChanges) {

  public ReplicaSnapshotPolicy {
    if (interval == null || interval.isNegative() || everyChanges < 0) {
      throw new IllegalArgumentException(
          "pipit.cluster.snapshot-interval and snapshot-every-changes must be >= 0 (0 disables)");
    }
  }

  /** Every 10 minutes or million changes, whichever comes first. */
  public static ReplicaSnapshotPolicy defaults() {
    return new ReplicaSnapshotPolicy(Duration.ofMinutes(10), 1_000_000);
  }

  /** Only at a graceful stop (and on demand). */
  public static ReplicaSnapshotPolicy manual() {
    return new ReplicaSnapshotPolicy(Duration.ZERO, 0);
  }

  /** Whether any trigger is set. */
  public boolean automatic() {
    return everyChanges > 0 || !interval.isZero();
  }

  /** Whether {@code changes} applied over {@code nanos} since the last snapshot call for one. */
  public boolean due(long changes, long nanos) {
    if (changes <= 0) {
      return false; // nothing changed: the snapshot on disk is as good
    }
    return (everyChanges > 0 && changes >= everyChanges)
        || (!interval.isZero() && nanos >= interval.toNanos());
  }
}
