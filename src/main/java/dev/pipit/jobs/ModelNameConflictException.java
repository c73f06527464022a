package dev.pipit.jobs;

/**
 * A job would write a model directory that exists (a registered or serving model) or that another
 * queued or running job will write. Maps to HTTP 409; nothing was queued.
 */
public class ModelNameConflictException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ModelNameConflictException(String message) {
    super(message);
  }
}
