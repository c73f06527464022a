package dev.pipit.index;

/** An id that the index does not hold (delete of an absent id). Maps to HTTP 404. */
public class UnknownIdException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for the client or operator. */
  public UnknownIdException(String message) {
    super(message);
  }
}
