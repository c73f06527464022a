package dev.pipit.index;

import java.io.IOException;
import java.time.Instant;

/**
 * The write-ahead log's failure bookkeeping: whether it is failed now, why, since when, and how
 * often it failed since open. Not thread-safe: the log guards it with its monitor.
 */
final class LogHealth {

  private Throwable failure; // why the log is failed; null while it is healthy
  private Throwable lastCause; // the last failure's cause (null if never)
  private long failures;
  private String lastReason;
  private Instant lastTime;
  private Instant failedSince; // null while healthy

  boolean failed() {
    return failure != null;
  }

  /** Records a failure and returns what the disk said. */
  String record(Throwable t) {
    Instant now = Instant.now();
    if (failure == null) {
      failedSince = now;
    }
    failure = t;
    lastCause = t;
    failures++;
    lastReason = Storage.describe(t);
    lastTime = now;
    return lastReason;
  }

  /**
   * Marks the log healthy again.
   *
   * @return whether it was failed
   */
  boolean clear() {
    boolean was = failure != null;
    failure = null;
    failedSince = null;
    return was;
  }

  /** The last failure's cause, or a generic one if there was none. */
  Throwable lastCause() {
    return lastCause != null ? lastCause : new IOException("the write failed");
  }

  StorageHealth snapshot() {
    return new StorageHealth(failure != null, failures, lastReason, lastTime, failedSince);
  }
}
