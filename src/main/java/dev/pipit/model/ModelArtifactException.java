package dev.pipit.model;

/** A model artifact that cannot be used: missing, corrupt, or not what it claims to be. */
public class ModelArtifactException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ModelArtifactException(String message) {
    super(message);
  }

  public ModelArtifactException(String message, Throwable cause) {
    super(message, cause);
  }
}
