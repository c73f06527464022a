package dev.pipit.index;

/**
 * When the write-ahead log is forced to disk. A mutation returns (is acknowledged) only once its
 * record is durable under this policy.
 *
 * @param mode {@link Mode#ALWAYS}: every mutation fsyncs before it returns; {@link Mode#GROUP}: a
 *     background thread fsyncs pending records, at once for a lone writer, else after waiting
 *     {@code windowMillis} for the other writers to join, and every mutation waits for the fsync
 *     that covers it (one fsync for all writers in the window)
 * @param windowMillis the group-commit window; 0 for {@link Mode#ALWAYS}
 */
public record FsyncPolicy(Mode mode, int windowMillis) {

  /** The two fsync policies. */
  public enum Mode {
    /** fsync on every mutation. */
    ALWAYS,
    /** fsync once per window for every mutation in it. */
    GROUP
  }

  /** Validates the window. */
  public FsyncPolicy {
    if (mode == null) {
      throw new InvalidRequestException("fsync mode is missing");
    }
    if (windowMillis < 0 || windowMillis > 10_000 || (mode == Mode.ALWAYS && windowMillis != 0)) {
      throw new InvalidRequestException(
          "group-commit window must be 0..10000 ms (0 for ALWAYS), got " + windowMillis);
    }
  }

  /** fsync on every mutation. */
  public static FsyncPolicy always() {
    return new FsyncPolicy(Mode.ALWAYS, 0);
  }

  /** Group commit within {@code windowMillis}. */
  public static FsyncPolicy group(int windowMillis) {
    return new FsyncPolicy(Mode.GROUP, windowMillis);
  }
}
