package dev.pipit.jobs;

import java.time.Duration;

/**
 * A bound of the jobs service is reached (pending jobs, event streams); the client should retry
 * after {@link #retryAfter()}. Maps to HTTP 429.
 */
public class JobsBusyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Duration retryAfter;

  public JobsBusyException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** A hint for the Retry-After header. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
