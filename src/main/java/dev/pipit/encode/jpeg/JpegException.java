package dev.pipit.encode.jpeg;

import java.util.Objects;

/** A JPEG stream could not be decoded by this package; {@link #kind()} says why. */
public final class JpegException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why decoding stopped. */
  public enum Kind {
    /** The data ends (or runs into the end of the file) before the image does. */
    TRUNCATED,
    /** The data is malformed. */
    CORRUPT,
    /**
     * A valid JPEG this package does not decode (arithmetic coding, lossless, hierarchical, 12-bit,
     * DNL-defined height, unusual sampling); another decoder may.
     */
    UNSUPPORTED,
    /** The file asks for more work (scans, coefficients decoded) than the caller's limits allow. */
    LIMIT
  }

  private final Kind kind;

  JpegException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  static JpegException truncated(String message) {
    return new JpegException(Kind.TRUNCATED, message);
  }

  static JpegException corrupt(String message) {
    return new JpegException(Kind.CORRUPT, message);
  }

  static JpegException limit(String message) {
    return new JpegException(Kind.LIMIT, message);
  }

  static JpegException unsupported(String message) {
    return new JpegException(Kind.UNSUPPORTED, message);
  }

  /** Why decoding stopped. */
  public Kind kind() {
    return kind;
  }
}
