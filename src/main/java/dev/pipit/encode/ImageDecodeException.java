package dev.pipit.encode;

import java.util.Objects;

/**
 * An image was refused or could not be decoded; {@link #reason()} says which, for the API to map.
 */
public final class ImageDecodeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why decoding stopped. Suggested HTTP statuses in brackets. */
  public enum Reason {
    /** No bytes at all [400]. */
    EMPTY,
    /** More bytes than the configured limit; refused before reading the rest [413]. */
    TOO_LARGE_BYTES,
    /**
     * The header declares more pixels than the limit (decompression bomb); refused before decoding
     * [413].
     */
    TOO_MANY_PIXELS,
    /**
     * A JPEG with more scans than the limit (a progressive "scan bomb": thousands of near-empty
     * scans, each decoded in full); refused before decoding [413].
     */
    TOO_MANY_SCANS,
    /**
     * Decoding would take more work (pixels × components × scans) than the limit; refused before
     * the scan that would exceed it [413].
     */
    TOO_MUCH_WORK,
    /** Not a JPEG, PNG, BMP, GIF or WebP, or no decoder for it [415]. */
    UNKNOWN_FORMAT,
    /** The data ends before the image does [400]. */
    TRUNCATED,
    /** The data is malformed [400]. */
    CORRUPT
  }

  private final Reason reason;

  /** Creates an exception with a reason and a message for humans. */
  public ImageDecodeException(Reason reason, String message) {
    this(reason, message, null);
  }

  /** Creates an exception with a reason, a message and the underlying failure. */
  public ImageDecodeException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why decoding stopped. */
  public Reason reason() {
    return reason;
  }
}
