package dev.pipit.gallery;

/** No model artifact (or no model switch) matches what was asked for (the API answers 404). */
public final class UnknownModelException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UnknownModelException(String message) {
    super(message);
  }
}
