package dev.pipit.jobs;

import java.time.Duration;

/**
 * Bounds on what clients can make the jobs service hold.
 *
 * @param maxPending jobs that may wait to run; more are refused (429)
 * @param maxStreams event streams open at once over all jobs; more are refused (429)
 * @param maxStreamsPerJob event streams open at once on one job
 * @param streamBuffer events a stream may have waiting for its client; a client that falls this far
 *     behind is dropped
 * @param maxStreamDuration longest an event stream stays open; the client may reconnect
 */
public record JobLimits(
    int maxPending,
    int maxStreams,
    int maxStreamsPerJob,
    int streamBuffer,
    Duration maxStreamDuration) {

  /** Defaults: 8 pending jobs, 64 streams (8 per job), 16 buffered events, 30-minute streams. */
  public static final JobLimits DEFAULTS = new JobLimits(8, 64, 8, 16, Duration.ofMinutes(30));

  public JobLimits {
    if (maxPending < 1 || maxStreams < 1 || maxStreamsPerJob < 1 || streamBuffer < 1) {
      throw new IllegalArgumentException("job limits must be positive");
    }
    if (maxStreamDuration == null || !maxStreamDuration.isPositive()) {
      throw new IllegalArgumentException("maxStreamDuration must be positive");
    }
  }
}
