package dev.pipit.gallery;

/**
 * A model switch cannot start now: one is running, or the model already serves (the API answers
 * 409).
 */
public final class SwitchConflictException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SwitchConflictException(String message) {
    super(message);
  }
}
