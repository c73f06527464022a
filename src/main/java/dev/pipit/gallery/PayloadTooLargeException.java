package dev.pipit.gallery;

/** An item's label or metadata is over its per-item limit; nothing was indexed. Maps to 413. */
public final class PayloadTooLargeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  PayloadTooLargeException(String message) {
    super(message);
  }
}
