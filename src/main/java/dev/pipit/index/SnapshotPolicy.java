package dev.pipit.index;

import java.time.Duration;

/**
 * When a durable index writes a snapshot on its own, in the background: once the log has grown by
 * {@code everyRecords} records or {@code everyLogBytes} bytes since the last snapshot, or {@code
 * interval} has passed since it with at least one new record, whichever comes first. A snapshot
 * rolls the log to a new segment, and the segments older than the snapshot before it are deleted,
 * so the log (and the time to replay it at open) stays bounded. In-memory indexes ignore the
 * policy.
 *
 * @param everyRecords log records since the last snapshot that trigger one; 0 to disable
 * @param everyLogBytes log bytes since the last snapshot that trigger one; 0 to disable
 * @param interval time since the last snapshot (or the open) after which a changed index takes one;
 *     zero to disable
 */
public record SnapshotPolicy(long everyRecords, long everyLogBytes, Duration interval) {

  /** Validates the policy. */
  public SnapshotPolicy {
    if (everyRecords < 0 || everyLogBytes < 0 || interval == null || interval.isNegative()) {
      throw new InvalidRequestException("snapshot thresholds must be >= 0 (0 disables one)");
    }
  }

  /** No automatic snapshots: only {@link HammingIndex#snapshot} writes one. */
  public static SnapshotPolicy manual() {
    return new SnapshotPolicy(0, 0, Duration.ZERO);
  }

  /** Defaults: every million records, 256 MiB of log or 10 minutes, whichever first. */
  public static SnapshotPolicy defaults() {
    return new SnapshotPolicy(1_000_000, 256L << 20, Duration.ofMinutes(10));
  }

  /** Whether any trigger is set. */
  public boolean automatic() {
    return everyRecords > 0 || everyLogBytes > 0 || !interval.isZero();
  }

  /**
   * Whether a log grown by {@code records} and {@code logBytes} since the last snapshot needs one
   * now.
   */
  boolean due(long records, long logBytes, long nanosSinceSnapshot) {
    if (records == 0) {
      return false;
    }
    return (everyRecords > 0 && records >= everyRecords)
        || (everyLogBytes > 0 && logBytes >= everyLogBytes)
        || (!interval.isZero() && nanosSinceSnapshot >= interval.toNanos());
  }
}
