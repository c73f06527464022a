package dev.pipit.index;

/**
 * Index files that cannot be read back: a damaged snapshot with no older one to fall back on, a
 * damaged record before the log's tail, or a gap in the log.
 */
public class CorruptIndexException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for the client or operator. */
  public CorruptIndexException(String message) {
    super(message);
  }
}
