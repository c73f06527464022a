package dev.pipit.index;

/**
 * A malformed argument other than a code: an empty or oversize id, an oversize payload, k or a
 * radius out of range. Maps to HTTP 400.
 */
public class InvalidRequestException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for the client or operator. */
  public InvalidRequestException(String message) {
    super(message);
  }
}
