package dev.pipit.encode;

import java.time.Duration;

/**
 * The decode or encode queue is full; the caller should retry after {@link #retryAfter()}. Maps to
 * HTTP 429.
 */
public class EncoderOverloadedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Duration retryAfter;

  public EncoderOverloadedException(int capacity, Duration retryAfter) {
    super(
        "encode queue is full ("
            + capacity
            + " waiting); retry after "
            + retryAfter.toMillis()
            + " ms");
    this.retryAfter = retryAfter;
  }

  /** A full queue of another stage of the pipeline (decoding), described by {@code message}. */
  public EncoderOverloadedException(String message, Duration retryAfter) {
    super(message + "; retry after " + retryAfter.toMillis() + " ms");
    this.retryAfter = retryAfter;
  }

  /** A hint for the Retry-After header: the time the queue ahead is expected to take. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
