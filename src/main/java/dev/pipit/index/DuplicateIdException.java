package dev.pipit.index;

/** An add of an id that the index already holds; use upsert to replace it. Maps to HTTP 409. */
public class DuplicateIdException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for the client or operator. */
  public DuplicateIdException(String message) {
    super(message);
  }
}
