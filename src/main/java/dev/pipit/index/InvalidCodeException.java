package dev.pipit.index;

/**
 * A code that is malformed or does not fit: wrong length, bad text form, stray bits. Maps to HTTP
 * 400.
 */
public class InvalidCodeException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidCodeException(String message) {
    super(message);
  }
}
