package dev.pipit.jobs;

/** A path outside the configured allowed roots. Maps to 403. */
public class PathNotAllowedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PathNotAllowedException(String message) {
    super(message);
  }
}
