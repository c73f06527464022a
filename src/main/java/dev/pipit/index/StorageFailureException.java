package dev.pipit.index;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A write was not made durable because the disk refused it (full, I/O error, a failed fsync). The
 * mutation was not acknowledged; the index keeps working and the next write tries the disk again,
 * so this is a temporary condition (HTTP 503), not a bad request.
 */
public final class StorageFailureException extends UncheckedIOException {

  private final String reason;

  /** Creates the exception; {@link #reason} is what {@code cause} says. */
  public StorageFailureException(String message, Throwable cause) {
    super(message, cause instanceof IOException io ? io : new IOException(cause.toString(), cause));
    this.reason = Storage.describe(cause);
  }

  /** What the disk said, e.g. {@code "No space left on device"}. */
  public String reason() {
    return reason;
  }
}
