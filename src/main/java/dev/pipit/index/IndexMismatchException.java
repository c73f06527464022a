package dev.pipit.index;

/**
 * The index on disk was written for another code length or model (its header differs from the
 * options). Maps to HTTP 409, or fails start-up.
 */
public class IndexMismatchException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for the client or operator. */
  public IndexMismatchException(String message) {
    super(message);
  }
}
