package dev.pipit.index;

import java.time.Instant;

/**
 * Whether the index's storage takes writes, for readiness and metrics.
 *
 * @param failed the last write or fsync of the log failed and neither a later write nor a {@link
 *     HammingIndex#probeStorage probe} succeeded since: writes are refused (and change nothing)
 * @param failures writes or fsyncs that failed since open
 * @param lastReason what the disk said the last time, e.g. {@code "No space left on device"} (null
 *     if never)
 * @param lastFailureTime when the last failure happened (null if never)
 * @param failedSince when the current failed state began (null while healthy)
 */
public record StorageHealth(
    boolean failed,
    long failures,
    String lastReason,
    Instant lastFailureTime,
    Instant failedSince) {

  /** Healthy, never failed (an in-memory index). */
  public static final StorageHealth HEALTHY = new StorageHealth(false, 0, null, null, null);
}
